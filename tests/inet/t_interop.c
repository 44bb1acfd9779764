/* Interoperability with real Erlang gen_tcp (inet driver): an Erlang echo
 * server in each packet mode, an esock client. Skipped without `erl`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* Listens on one port per packet type, prints them, echoes every packet
 * back with gen_tcp:send (which adds the header in 1/2/4), and for
 * http_bin answers each request line with a fixed response. Exits when
 * stdin closes. */
static const char erl_server[] =
    "Types = [1, 2, 4, line, asn1, tpkt],"
    "Ls = [begin {ok, L} = gen_tcp:listen(0, [binary, {packet, T}, {active, false}]), L end || T <- Types],"
    "Ps = [begin {ok, P} = inet:port(L), integer_to_list(P) end || L <- Ls],"
    "io:format(\"~s~n\", [string:join(Ps, \" \")]),"
    "Echo = fun E(S) -> case gen_tcp:recv(S, 0) of {ok, D} -> ok = gen_tcp:send(S, D), E(S); _ -> ok end end,"
    "[spawn(fun A() -> {ok, S} = gen_tcp:accept(L), spawn(fun() -> Echo(S) end), A() end) || L <- Ls],"
    "io:get_line(''), halt().";

static pid_t erl_pid;
static FILE *erl_in;

static int start_erl(int ports[6])
{
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return -1;
    erl_pid = fork();
    if (erl_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("erl", "erl", "-noshell", "-eval", erl_server, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    erl_in = fdopen(in[1], "w");
    FILE *o = fdopen(out[0], "r");
    char line[256];
    int ok = fgets(line, sizeof line, o) != NULL &&
             sscanf(line, "%d %d %d %d %d %d", &ports[0], &ports[1], &ports[2], &ports[3], &ports[4], &ports[5]) == 6;
    fclose(o);
    return ok ? 0 : -1;
}

static void stop_erl(void)
{
    if (erl_in)
        fclose(erl_in); /* io:get_line returns: the node halts */
    erl_in = NULL;
    int st;
    for (int i = 0; i < 100; i++) {
        if (waitpid(erl_pid, &st, WNOHANG) == erl_pid)
            return;
        msleep(50);
    }
    kill(erl_pid, SIGKILL);
    waitpid(erl_pid, &st, 0);
}

static void erlang_peer_every_mode(void **st)
{
    (void)st;
    if (system("command -v erl >/dev/null 2>&1") != 0)
        skip();
    int ports[6];
    assert_int_equal(start_erl(ports), 0);
    static const struct { int t; const char *send; size_t slen; const char *want; size_t wlen; } m[] = {
        {ESOCK_INET_PACKET_1, "hello", 5, "hello", 5},
        {ESOCK_INET_PACKET_2, "hello", 5, "hello", 5},
        {ESOCK_INET_PACKET_4, "hello", 5, "hello", 5},
        {ESOCK_INET_PACKET_LINE, "a line\n", 7, "a line\n", 7},
#if INET_FULL_PACKET
        {ESOCK_INET_PACKET_ASN1, "\x04\x03" "abc", 5, "\x04\x03" "abc", 5},
        {ESOCK_INET_PACKET_TPKT, "\x03\x00\x00\x06" "hi", 6, "\x03\x00\x00\x06" "hi", 6},
#endif
    };
    esock_mbox_t mb = tm_new();
    for (size_t i = 0; i < NOPTS(m); i++) {
        esock_sockaddr_t to = lo4((uint16_t)ports[i]);
        const esock_inet_opt_t o[] = {OPTI(PACKET, m[i].t), OPTI(MODE, 1)};
        esock_inet_t c;
        assert_int_equal(esock_inet_connect(&c, &to, o, NOPTS(o), mb, 5000), 0);
        for (int k = 0; k < 3; k++)
            assert_int_equal(esock_inet_send(c, m[i].send, m[i].slen), 0);
        for (int k = 0; k < 3; k++) {
            esock_inet_msg_t *r = tm_recv(mb, 5000);
            assert_non_null(r);
            assert_int_equal(r->kind, ESOCK_INET_MSG_DATA);
            assert_int_equal(r->len, m[i].wlen);
            assert_memory_equal(r->data, m[i].want, m[i].wlen);
            esock_inet_msg_free(r);
        }
        esock_inet_close(c);
    }
    tm_free(mb);
    stop_erl();
}

const struct CMUnitTest inet_tests_interop[] = {
    cmocka_unit_test_teardown(erlang_peer_every_mode, inet_teardown),
};
const size_t inet_ntests_interop = NOPTS(inet_tests_interop);
