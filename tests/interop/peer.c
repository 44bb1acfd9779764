/* Starting, driving and reaping the Erlang peer (see peer.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include "peer.h"
#include "testnet.h"

static pid_t pid = -1;
static int to_fd = -1, from_fd = -1;
static char rbuf[65536];
static size_t rlen;
int peer_busy;

int peer_available(void)
{
    return system("command -v escript >/dev/null 2>&1") == 0;
}

int peer_start(void)
{
    if (pid > 0)
        return 0;
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0); /* one group: the VM and its helpers die together */
        dup2(in[0], 0);
        dup2(out[1], 1);
        execlp("escript", "escript", ESOCK_INTEROP_DIR "/peer.escript", (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(in[0]);
    close(out[1]);
    to_fd = in[1];
    from_fd = out[0];
    rlen = 0;
    peer_busy = 0;
    return 0;
}

void peer_kill(void)
{
    if (pid <= 0)
        return;
    close(to_fd); /* stdin EOF: the VM stops by itself */
    close(from_fd);
    to_fd = from_fd = -1;
    int st;
    for (int i = 0; i < 40; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            goto reaped;
        struct timespec ts = {0, 25000000L};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, &st, 0);
reaped:
    kill(-pid, SIGKILL); /* helpers (erl_child_setup) that outlived the VM */
    pid = -1;
}

void peer_cmd(const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 3, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof line - 3);
    memcpy(line + n, ".\n", 3);
    if (getenv("INTEROP_TRACE")) /* show the conversation with the peer */
        fprintf(stderr, "> %s", line);
    assert_int_equal(write(to_fd, line, (size_t)n + 2), n + 2);
    peer_busy = 1;
}

int peer_line(char *buf, size_t cap, int tmo_ms)
{
    long long end = now_ms() + tmo_ms;
    for (;;) {
        char *nl = memchr(rbuf, '\n', rlen);
        if (nl) {
            size_t n = (size_t)(nl - rbuf);
            size_t c = n < cap - 1 ? n : cap - 1;
            memcpy(buf, rbuf, c);
            buf[c] = 0;
            if (getenv("INTEROP_TRACE"))
                fprintf(stderr, "< %s\n", buf);
            memmove(rbuf, nl + 1, rlen - n - 1);
            rlen -= n + 1;
            return 0;
        }
        long long left = end - now_ms();
        if (left <= 0 || rlen == sizeof rbuf)
            return -1;
        struct pollfd pf = {.fd = from_fd, .events = POLLIN};
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        ssize_t r = read(from_fd, rbuf + rlen, sizeof rbuf - rlen);
        if (r <= 0)
            return -1;
        rlen += (size_t)r;
    }
}

static void expect_line(char *buf, size_t cap, const char *prefix)
{
    int rc;
    /* Skip the VM's own reports (=ERROR REPORT==== ...), but show them. */
    while ((rc = peer_line(buf, cap, 15000)) == 0 && strncmp(buf, prefix, strlen(prefix)) != 0 &&
           strncmp(buf, "fail ", 5) != 0)
        print_message("erlang: %s\n", buf);
    if (rc != 0)
        fail_msg("no answer from the Erlang peer (expected \"%s\")", prefix);
    if (strncmp(buf, prefix, strlen(prefix)) != 0)
        fail_msg("Erlang peer said \"%.300s\", expected \"%s...\"", buf, prefix);
}

unsigned peer_port(void)
{
    char l[512];
    expect_line(l, sizeof l, "port ");
    return (unsigned)strtoul(l + 5, NULL, 10);
}

void peer_got(size_t len, uint32_t crc)
{
    char l[512], want[64];
    expect_line(l, sizeof l, "got ");
    snprintf(want, sizeof want, "got %zu %u", len, crc);
    if (strcmp(l, want) != 0)
        fail_msg("Erlang received \"%s\", expected \"%s\"", l, want);
}

void peer_end(char *buf, size_t cap)
{
    char l[8192];
    expect_line(l, sizeof l, "end ");
    snprintf(buf, cap, "%s", l + 4);
    peer_busy = 0;
}

uint32_t crc32_of(const void *p, size_t n)
{
    static uint32_t tab[256];
    if (!tab[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            tab[i] = c;
        }
    const uint8_t *b = p;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        c = tab[(c ^ b[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void pattern(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 7 + n) & 255);
}
