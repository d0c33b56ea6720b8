"""Erlang C: how many counters a queue needs to meet a service level.

With arrivals at rate λ (per hour), a mean service time s (hours) and N counters, the offered
load is A = λ·s erlangs. The probability that an arrival waits is Erlang C(N, A), and the
share served within a target wait t is 1 − C(N, A)·exp(−(N − A)·t / s).
"""

import math


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival has to wait (1 when the queue is unstable)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    # Erlang B by its stable recurrence, then C from B.
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def service_level(
    servers: int, arrivals_per_hour: float, service_minutes: float, target_wait_minutes: float
) -> float:
    """Share of arrivals called within the target wait."""
    if arrivals_per_hour <= 0:
        return 1.0
    load = arrivals_per_hour * service_minutes / 60
    if servers <= load:
        return 0.0
    waiting = erlang_c(servers, load)
    return 1 - waiting * math.exp(-(servers - load) * target_wait_minutes / service_minutes)


def counters_needed(
    arrivals_per_hour: float,
    service_minutes: float,
    target_wait_minutes: float,
    target_share: float,
    max_servers: int = 1000,
) -> int:
    """The fewest counters that call `target_share` of arrivals within the target wait."""
    if arrivals_per_hour <= 0 or service_minutes <= 0:
        return 0
    load = arrivals_per_hour * service_minutes / 60
    servers = max(1, math.floor(load) + 1)
    while (
        servers < max_servers
        and service_level(servers, arrivals_per_hour, service_minutes, target_wait_minutes)
        < target_share
    ):
        servers += 1
    return servers
