%% Erlang versions of the tasklet benchmarks: processes and messages.
%% Run as `erl -noshell +S 1 +P 2000000 -s tasklets main PROGRAM -s init stop`
%% so every process shares one scheduler, like tasklets on one thread.
-module(tasklets).
-export([main/1]).

main([Prog]) ->
    io:format("~p~n", [run(Prog)]).

run(empty) -> 0;
run(rr) -> rr(100000, 20);
run(pingpong) -> pingpong(500000);
run(stream) -> stream(3000000);
run(spawn) -> spawn_n(200000);
run(skynet) -> skynet(1000000);
run(blocked) -> blocked(1000000).

%% rr: N processes each call erlang:yield() K times, then report K.
rr(N, K) ->
    Self = self(),
    [spawn(fun() -> yield_loop(K), Self ! {done, K} end) || _ <- lists:seq(1, N)],
    collect(N, 0).

yield_loop(0) -> ok;
yield_loop(K) -> erlang:yield(), yield_loop(K - 1).

collect(0, Sum) -> Sum;
collect(N, Sum) -> receive {done, V} -> collect(N - 1, Sum + V) end.

%% pingpong: N messages between two processes.
pingpong(N) ->
    Self = self(),
    Pong = spawn(fun() -> pong(N div 2) end),
    spawn(fun() -> Self ! {done, ping(Pong, 0, N div 2, 0)} end),
    receive {done, Total} -> Total end.

ping(_Pong, I, I, Total) -> Total;
ping(Pong, I, End, Total) ->
    Pong ! {self(), I},
    receive {pong, V} -> ping(Pong, I + 1, End, Total + V) end.

pong(0) -> ok;
pong(N) ->
    receive {From, V} -> From ! {pong, V} end,
    pong(N - 1).

%% stream: N messages from one producer process to the main one (an
%% Erlang mailbox does not wait for its reader, unlike a channel).
stream(N) ->
    Self = self(),
    spawn(fun() -> produce(Self, 0, N) end),
    consume(N, 0).

produce(_To, N, N) -> ok;
produce(To, I, N) -> To ! {item, I}, produce(To, I + 1, N).

consume(0, Total) -> Total;
consume(N, Total) -> receive {item, V} -> consume(N - 1, Total + V) end.

%% spawn: N processes that each run a trivial body (a message home) and end.
spawn_n(N) ->
    Self = self(),
    [spawn(fun() -> Self ! {done, 1} end) || _ <- lists:seq(1, N)],
    collect(N, 0).

%% skynet: a tree of 10-way processes down to 1M leaves.
skynet(Size) ->
    Self = self(),
    spawn(fun() -> skynet_node(Self, 0, Size) end),
    receive {sum, S} -> S end.

skynet_node(Parent, Num, 1) ->
    Parent ! {sum, Num};
skynet_node(Parent, Num, Size) ->
    Self = self(),
    Step = Size div 10,
    [spawn(fun() -> skynet_node(Self, Num + I * Step, Step) end) || I <- lists:seq(0, 9)],
    Parent ! {sum, sum_n(10, 0)}.

sum_n(0, S) -> S;
sum_n(N, S) -> receive {sum, V} -> sum_n(N - 1, S + V) end.

%% blocked: N processes waiting in receive (peak RSS per process).
blocked(N) ->
    Self = self(),
    [spawn(fun() -> Self ! started, receive go -> ok end end) || _ <- lists:seq(1, N)],
    wait_started(N),
    N.

wait_started(0) -> ok;
wait_started(N) -> receive started -> wait_started(N - 1) end.
