#!/usr/bin/env escript
%%! -noshell
%%
%% The Erlang side of the esock interoperability test (tests/interop/interop.c).
%%
%% One VM serves every case: the C test writes one command per line on our
%% stdin (an Erlang term ending in "."), we answer with lines on stdout:
%%   port P        a listener is ready on 127.0.0.1:P (or a local path)
%%   got L C       a message of L bytes with erlang:crc32 C was received
%%   end TEXT      the command finished; TEXT is its result (a trace)
%%   fail TEXT     the command crashed (TEXT says why)
%% The VM exits when stdin closes or on `stop.`. Every wait is bounded.

-define(T, 10000).

main(_) ->
    loop().

loop() ->
    case io:read('') of
        {ok, stop} -> ok;
        {ok, Cmd} ->
            try run(Cmd) of
                R -> out("end ~s", [R])
            catch C:E:St -> out("fail ~w:~P ~P", [C, E, 12, St, 12])
            end,
            loop();
        _ -> ok
    end.

out(F, A) -> io:format(F ++ "~n", A).

%% A term on one line, binaries as text.
fmt(T) -> io_lib:print(T, 1, 1000000, -1).

%% ---- Socket setup: we listen (and print the port) or we connect to C. ----

tcp_opts(Opts) -> [binary, {active, false} | Opts].

setup(listen, Opts) ->
    {ok, L} = gen_tcp:listen(0, [{ip, {127,0,0,1}} | tcp_opts(Opts)]),
    {ok, P} = inet:port(L),
    out("port ~b", [P]),
    {ok, S} = gen_tcp:accept(L, ?T),
    gen_tcp:close(L),
    S;
setup({connect, Port}, Opts) ->
    {ok, S} = gen_tcp:connect({127,0,0,1}, Port, tcp_opts(Opts), ?T),
    S.

%% ---- Packet types: echo every message back, reporting what arrived. ----

run({echo, Where, Type, Opts, Sizes}) ->
    S = setup(Where, [{packet, Type} | Opts]),
    lists:foreach(
      fun(Size) ->
              Len = case Type of raw -> Size; _ -> 0 end,
              {ok, P} = gen_tcp:recv(S, Len, ?T),
              out("got ~b ~b", [byte_size(P), erlang:crc32(P)]),
              ok = gen_tcp:send(S, P)
      end, Sizes),
    R = gen_tcp:recv(S, 0, ?T),
    gen_tcp:close(S),
    io_lib:format("~w", [R]);

%% http: we are the server (Where = listen) or the client.
run({http_server, Where, Type}) ->
    S = setup(Where, [{packet, Type}]),
    Got = http_collect(S, []),
    ok = gen_tcp:send(S, <<"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Test: a b\r\n\r\nhello">>),
    R = gen_tcp:recv(S, 0, ?T),
    gen_tcp:close(S),
    io_lib:format("~s ~s", [fmt(Got), fmt(R)]);
run({http_client, Where, Type}) ->
    S = setup(Where, [{packet, Type}]),
    ok = gen_tcp:send(S, <<"GET /a/b?c=d HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nxyz">>),
    Got = http_collect(S, []),
    ok = inet:setopts(S, [{packet, raw}]),
    {ok, Body} = gen_tcp:recv(S, 5, ?T),
    gen_tcp:close(S),
    io_lib:format("~s ~s", [fmt(Got), fmt(Body)]);

%% ---- Streams, close and shutdown: an actor sends, then ends somehow; an
%% observer reports what it sees as a trace of tokens. ----

run({actor, Where, Opts, Sizes, Action}) ->
    S = setup(Where, [{packet, 4} | Opts]),
    actor(S, Sizes, Action);
run({observer, Where, Opts, Mode, Reply}) ->
    S = setup(Where, [{packet, 4} | Opts]),
    observe(S, Mode, Reply);
%% Both roles in this VM: the reference trace of OTP itself.
run({reference, AOpts, Sizes, Action, OOpts, Mode, Reply}) ->
    {ok, L} = gen_tcp:listen(0, [{ip, {127,0,0,1}}, {packet, 4} | tcp_opts(OOpts)]),
    {ok, P} = inet:port(L),
    Self = self(),
    A = spawn(fun() ->
                      S = setup({connect, P}, [{packet, 4} | AOpts]),
                      Self ! {self(), actor(S, Sizes, Action)}
              end),
    {ok, S} = gen_tcp:accept(L, ?T),
    gen_tcp:close(L),
    O = observe(S, Mode, Reply),
    receive {A, AT} -> io_lib:format("~s | ~s", [AT, O]) after ?T -> "actor timeout | " ++ O end;

%% ---- UDP: echo datagrams back to their source. ----

run({udp_echo, Sizes}) ->
    {ok, U} = gen_udp:open(0, [binary, {active, false}, {ip, {127,0,0,1}},
                               {recbuf, 1 bsl 20}, {sndbuf, 1 bsl 20}, {buffer, 65536}]),
    {ok, P} = inet:port(U),
    out("port ~b", [P]),
    lists:foreach(
      fun(_) ->
              {ok, {IP, FP, D}} = gen_udp:recv(U, 0, ?T),
              out("got ~b ~b", [byte_size(D), erlang:crc32(D)]),
              ok = gen_udp:send(U, IP, FP, D)
      end, Sizes),
    gen_udp:close(U),
    "ok";
run({udp_send, Port, Sizes}) ->
    {ok, U} = gen_udp:open(0, [binary, {active, false}, {ip, {127,0,0,1}},
                               {recbuf, 1 bsl 20}, {sndbuf, 1 bsl 20}, {buffer, 65536}]),
    lists:foreach(
      fun(Size) ->
              D = pattern(Size),
              ok = gen_udp:send(U, {127,0,0,1}, Port, D),
              {ok, {_, Port, E}} = gen_udp:recv(U, 0, ?T),
              out("got ~b ~b", [byte_size(E), erlang:crc32(E)]),
              E = D
      end, Sizes),
    gen_udp:close(U),
    "ok";

%% ---- Lines longer than the buffer: a raw stream read in a line mode. ----

%% The reference: a raw writer and a passive reader with Opts, both here.
run({line_reference, Opts, Spec}) ->
    Data = line_data(Spec),
    {ok, L} = gen_tcp:listen(0, [{ip, {127,0,0,1}} | tcp_opts([])]),
    {ok, P} = inet:port(L),
    {ok, C} = gen_tcp:connect({127,0,0,1}, P, tcp_opts([]), ?T),
    {ok, S} = gen_tcp:accept(L, ?T),
    gen_tcp:close(L),
    %% setopts: listen/2 refuses line_delimiter (badarg in OTP 25)
    ok = inet:setopts(S, Opts),
    ok = gen_tcp:send(C, Data),
    gen_tcp:close(C),
    T = passive_trace(S, 20),
    gen_tcp:close(S),
    T;
%% The raw writer alone (the reader is esock).
run({raw_writer, Where, Spec}) ->
    S = setup(Where, []),
    ok = gen_tcp:send(S, line_data(Spec)),
    gen_tcp:close(S),
    "sent";

%% ---- Local stream sockets with the socket module. ----

run({local_server, Path, Sizes}) ->
    {ok, L} = socket:open(local, stream, default),
    ok = socket:bind(L, #{family => local, path => Path}),
    ok = socket:listen(L),
    out("port 0", []),
    {ok, S} = socket:accept(L, ?T),
    socket:close(L),
    local_echo(S, Sizes);
run({local_client, Path, Sizes}) ->
    {ok, S} = socket:open(local, stream, default),
    ok = socket:connect(S, #{family => local, path => Path}, ?T),
    local_echo(S, Sizes).

local_echo(S, Sizes) ->
    lists:foreach(
      fun(Size) ->
              {ok, D} = socket:recv(S, Size, ?T),
              out("got ~b ~b", [byte_size(D), erlang:crc32(D)]),
              ok = socket:send(S, D, ?T)
      end, Sizes),
    R = socket:recv(S, 0, ?T),
    socket:close(S),
    io_lib:format("~w", [R]).

%% The bytes of a message of Size bytes (the C side has the same rule).
pattern(Size) -> << <<((I * 7 + Size) band 255)>> || I <- lists:seq(0, Size - 1) >>.

%% The bytes, or {line_of, N}: N times "a" and a newline (keeps a long
%% line's command short).
line_data({line_of, N}) -> <<(binary:copy(<<"a">>, N))/binary, "\n">>;
line_data(B) when is_binary(B) -> B.

http_collect(S, Acc) ->
    case gen_tcp:recv(S, 0, ?T) of
        {ok, {http_eoh}} -> lists:reverse([http_eoh | Acc]);
        {ok, http_eoh} -> lists:reverse([http_eoh | Acc]);
        {ok, Pkt} -> http_collect(S, [Pkt | Acc]);
        Err -> lists:reverse([Err | Acc])
    end.

%% Send the messages (sizes in packet 4), then end as told:
%%   close     gen_tcp:close
%%   partial   close after the start of a packet (header + 3 of 100 bytes)
%%   reset     linger {true, 0} then close (an RST)
%%   shutdown  shutdown(write), then read the reply until closed
actor(S, Sizes, Action) ->
    [ok = gen_tcp:send(S, pattern(Size)) || Size <- Sizes],
    case Action of
        close -> gen_tcp:close(S), "closed";
        partial ->  % a packet-4 header announcing 100 bytes, then 3 of them
            ok = inet:setopts(S, [{packet, raw}]),
            ok = gen_tcp:send(S, <<0,0,0,100,1,2,3>>),
            gen_tcp:close(S), "partial";
        reset ->
            timer:sleep(100),  % let the data reach the peer before the RST
            ok = inet:setopts(S, [{linger, {true, 0}}]),
            gen_tcp:close(S), "reset";
        shutdown ->
            ok = gen_tcp:shutdown(S, write),
            T = passive_trace(S, 5),
            gen_tcp:close(S),
            "shutdown " ++ T
    end.

%% The observer's trace. Mode: passive | once | true | N (active count).
observe(S, passive, Reply) ->
    T = passive_trace(S, 20),
    finish(S, Reply, T);
observe(S, Mode, Reply) ->
    Arm = case Mode of once -> once; N -> N end,
    ok = inet:setopts(S, [{active, Arm}]),
    T = active_trace(S, Arm, [], 40),
    finish(S, Reply, T).

finish(S, true, T) ->
    R = gen_tcp:send(S, <<"bye">>),
    gen_tcp:close(S),
    io_lib:format("~s reply:~w", [T, R]);
finish(S, false, T) ->
    gen_tcp:close(S),
    T.

%% recv until an error, then one more recv (what follows the end).
passive_trace(_S, 0) -> "...";
passive_trace(S, K) ->
    case gen_tcp:recv(S, 0, 2000) of
        {ok, P} -> tok(P) ++ " " ++ passive_trace(S, K - 1);
        {error, E} ->
            {error, E2} = gen_tcp:recv(S, 0, 500),
            io_lib:format("~w ~w", [E, E2])
    end.

%% Active messages until tcp_closed (then 300 ms more for anything extra).
active_trace(_S, _Arm, Acc, 0) -> string:join(lists:reverse(["..." | Acc]), " ");
active_trace(S, Arm, Acc, K) ->
    receive
        {tcp, S, P} ->
            case Arm of once -> ok = inet:setopts(S, [{active, once}]); _ -> ok end,
            active_trace(S, Arm, [tok(P) | Acc], K - 1);
        {tcp_passive, S} ->
            ok = inet:setopts(S, [{active, Arm}]),
            active_trace(S, Arm, ["passive" | Acc], K - 1);
        {tcp_error, S, E} -> active_trace(S, Arm, [io_lib:format("error:~w", [E]) | Acc], K - 1);
        {tcp_closed, S} ->
            Extra = receive {tcp, S, _} = M -> [io_lib:format("extra:~w", [element(1, M)])]
                                 ; {tcp_closed, S} -> ["extra:tcp_closed"]
                                 ; {tcp_passive, S} -> ["extra:tcp_passive"]
                    after 300 -> [] end,
            string:join(lists:reverse(Acc, ["closed" | Extra]), " ")
    after 3000 -> string:join(lists:reverse(["timeout" | Acc]), " ")
    end.

tok(P) when is_binary(P) -> "d" ++ integer_to_list(byte_size(P));
tok(_) -> "h". % an http packet (decoded)
