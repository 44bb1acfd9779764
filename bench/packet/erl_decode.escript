#!/usr/bin/env escript
%% erl_decode.escript DIR: times erlang:decode_packet/3 on the inputs that
%% bench_packet --dump DIR wrote (identical bytes), decoding each buffer
%% message by message as a receiver would (http_bin -> httph_bin after the
%% start line, back after http_eoh): the same calls in the same order as
%% bench_packet's esock loop. Per case, one untimed pass counts the
%% successful calls (it must equal bench_packet's count, else exit 1) and
%% warms up; then best of 7 rounds of at least 100 ms each, timed around the
%% decode loop only. Prints "case messages ns_per_message decodes_per_pass".
-mode(compile).

main([Dir]) ->
    Cases = ["p1_small", "p2_small", "p4_small", "p4_large", "line",
             "http_request", "http_response"],
    io:format("# case messages erlang_ns decodes_per_pass~n"),
    lists:foreach(fun(C) -> run(Dir, C) end, Cases).

run(Dir, Case) ->
    {ok, Bin} = file:read_file(filename:join(Dir, Case ++ ".bin")),
    {ok, TypeLine} = file:read_file(filename:join(Dir, Case ++ ".type")),
    [TypeS, MsgsS, WantS] = string:lexemes(string:trim(binary_to_list(TypeLine)), " "),
    Type = type(TypeS),
    Msgs = list_to_integer(MsgsS),
    Want = list_to_integer(WantS),
    case count(Type, Bin, 0) of
        Want -> ok;
        Got ->
            io:format(standard_error, "~s: ~b decodes per pass, bench_packet made ~b~n",
                      [Case, Got, Want]),
            halt(1)
    end,
    Best = lists:min([round_ns(Type, Bin, Msgs) || _ <- lists:seq(1, 7)]),
    io:format("~s ~b ~.1f ~b~n", [Case, Msgs, Best, Want]).

type("1") -> 1; type("2") -> 2; type("4") -> 4;
type(T) -> list_to_atom(T).

%% Repeat whole passes for at least 100 ms; ns per message.
round_ns(Type, Bin, Msgs) ->
    T0 = erlang:monotonic_time(nanosecond),
    Reps = loop(Type, Bin, T0, 0),
    T1 = erlang:monotonic_time(nanosecond),
    (T1 - T0) / Reps / Msgs.

loop(Type, Bin, T0, Reps) ->
    pass(Type, Bin),
    case erlang:monotonic_time(nanosecond) - T0 of
        D when D < 100000000 -> loop(Type, Bin, T0, Reps + 1);
        _ -> Reps + 1
    end.

pass(Type, Bin) ->
    case erlang:decode_packet(Type, Bin, []) of
        {ok, Pkt, Rest} -> pass(next(Type, Pkt), Rest);
        _ -> ok
    end.

%% pass/2 with a count of the successful calls.
count(Type, Bin, N) ->
    case erlang:decode_packet(Type, Bin, []) of
        {ok, Pkt, Rest} -> count(next(Type, Pkt), Rest, N + 1);
        _ -> N
    end.

next(http_bin, {http_request, _, _, _}) -> httph_bin;
next(http_bin, {http_response, _, _, _}) -> httph_bin;
next(httph_bin, http_eoh) -> http_bin;
next(T, _) -> T.
