#!/usr/bin/env escript
%% erl_decode.escript DIR: times erlang:decode_packet/3 on the inputs that
%% bench_packet --dump DIR wrote (identical bytes), decoding each buffer
%% message by message as a receiver would (http_bin -> httph_bin after the
%% start line, back after http_eoh). Prints "case messages ns_per_message",
%% best of several rounds.
-mode(compile).

main([Dir]) ->
    Cases = ["p1_small", "p2_small", "p4_small", "p4_large", "line",
             "http_request", "http_response"],
    io:format("# case messages erlang_ns~n"),
    lists:foreach(fun(C) -> run(Dir, C) end, Cases).

run(Dir, Case) ->
    {ok, Bin} = file:read_file(filename:join(Dir, Case ++ ".bin")),
    {ok, TypeLine} = file:read_file(filename:join(Dir, Case ++ ".type")),
    [TypeS, MsgsS] = string:lexemes(string:trim(binary_to_list(TypeLine)), " "),
    Type = type(TypeS),
    Msgs = list_to_integer(MsgsS),
    Best = lists:min([round_ns(Type, Bin, Msgs) || _ <- lists:seq(1, 5)]),
    io:format("~s ~b ~.1f~n", [Case, Msgs, Best]).

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

next(http_bin, {http_request, _, _, _}) -> httph_bin;
next(http_bin, {http_response, _, _, _}) -> httph_bin;
next(httph_bin, http_eoh) -> http_bin;
next(T, _) -> T.
