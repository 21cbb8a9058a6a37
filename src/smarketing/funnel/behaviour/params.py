"""What a behaviour funnel is asked: the steps and every control, resolved once into a frozen object and checked
by small named checks before any query runs (as PostHog's funnel_validation_rules: one rule, one code).

The controls and what they mean:

- order "sequence": each step after the previous one (strictly later), other events allowed between.
  order "strict": each step at the lead's next moment after the previous step: no other event of that lead
  (of any type, funnel step or not) strictly between the two; events sharing the step's timestamp are not
  "between".
  order "any": step 1 opens the journey; the other steps may come in any order after it, inside the window.
- window_days: the overall conversion window, from the journey's step-1 event to its last step.
- step_windows: per step (step 2 onwards), the most days allowed after the step the lead came from (None: only
  the overall window). Ordered funnels only.
- occurrence "first": a lead's journey starts at its first step-1 event (in period mode, its first step-1
  event inside the date range). "any": every step-1 event starts a journey of its own, and a lead counts at a
  step when any of its journeys reaches it (a lead that tried three times and converted on the third counts).
- optional: step numbers (1-based) a lead may skip; a later step then follows the step the lead came from.
  The first and the last step are never optional.
- exclusions: (event type, from step, to step): a journey in which the lead did that event after it reached
  the from-step and before it reached the to-step (or, when it never reached the to-step, before its window
  closed) is dropped from the whole funnel, as PostHog's exclusion steps are: it counts at no step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_STEPS = 6
ORDERS = ("sequence", "strict", "any")
OCCURRENCES = ("first", "any")


@dataclass(frozen=True)
class Exclusion:
    """Drop journeys that did `event_type` between step `from_step` and step `to_step` (1-based)."""

    event_type: str
    from_step: int
    to_step: int


@dataclass(frozen=True)
class FunnelParams:
    steps: tuple[str, ...]
    window_days: float
    order: str = "sequence"
    occurrence: str = "first"
    step_windows: tuple[float | None, ...] = ()  # one per step (step 1 has none: None)
    optional: frozenset[int] = field(default_factory=frozenset)
    exclusions: tuple[Exclusion, ...] = ()

    def step_window(self, step: int) -> float | None:
        """Days allowed after the previous step for step `step` (1-based), or None."""
        return self.step_windows[step - 1] if step - 1 < len(self.step_windows) else None

    def required(self, step: int) -> bool:
        return step not in self.optional

    def previous_required(self, step: int) -> int:
        """The last required step before `step` (1-based); step 1 is always required."""
        return max(k for k in range(1, step) if self.required(k))

    def predecessors(self, step: int) -> list[int]:
        """The steps a lead may come from into `step`: the last required one and any optional ones after it."""
        return list(range(self.previous_required(step), step))


class FunnelParamsError(ValueError):
    """A behaviour funnel asked for something that cannot be computed; `code` names the check."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------------------------------ the checks


def require_step_count(p: FunnelParams) -> str | None:
    if not 2 <= len(p.steps) <= MAX_STEPS:
        return f"a behaviour funnel needs 2 to {MAX_STEPS} steps, got {len(p.steps)}"
    return None


def require_positive_window(p: FunnelParams) -> str | None:
    if not p.window_days > 0:
        return f"the conversion window must be positive, got {p.window_days} days"
    return None


def require_known_order(p: FunnelParams) -> str | None:
    if p.order not in ORDERS:
        return f"step order must be one of {', '.join(ORDERS)}, got '{p.order}'"
    return None


def require_known_occurrence(p: FunnelParams) -> str | None:
    if p.occurrence not in OCCURRENCES:
        return f"occurrence must be one of {', '.join(OCCURRENCES)}, got '{p.occurrence}'"
    return None


def require_step_windows_per_step(p: FunnelParams) -> str | None:
    if len(p.step_windows) > len(p.steps):
        return f"{len(p.step_windows)} step windows given for {len(p.steps)} steps"
    if p.step_windows and p.step_windows[0] is not None:
        return "step 1 starts the journey: it has no window of its own (the overall window counts from it)"
    for k, days in enumerate(p.step_windows, start=1):
        if days is not None and not days > 0:
            return f"the window of step {k} must be positive, got {days} days"
    return None


def require_order_for_step_windows(p: FunnelParams) -> str | None:
    if p.order == "any" and any(d is not None for d in p.step_windows[1:]):
        return "a window per step needs an ordered funnel (in sequence or strict): in any order steps have no previous one"
    return None


def require_inner_optional_steps(p: FunnelParams) -> str | None:
    for k in sorted(p.optional):
        if not 1 < k < len(p.steps):
            return f"step {k} cannot be optional: only steps between the first and the last one can (2 to {len(p.steps) - 1})"
    return None


def require_exclusions_between_steps(p: FunnelParams) -> str | None:
    for x in p.exclusions:
        if not 1 <= x.from_step < x.to_step <= len(p.steps):
            return (f"exclusion '{x.event_type}': the steps must satisfy 1 <= from < to <= {len(p.steps)}, "
                    f"got {x.from_step} to {x.to_step}")
        if not (p.required(x.from_step) and p.required(x.to_step)):
            return f"exclusion '{x.event_type}': it must lie between two required steps, not optional ones"
    return None


def require_exclusion_not_a_step(p: FunnelParams) -> str | None:
    for x in p.exclusions:
        inside = p.steps[x.from_step - 1: x.to_step]
        if x.event_type in inside:
            return (f"exclusion '{x.event_type}' is itself a step between steps {x.from_step} and {x.to_step}: "
                    "a journey would exclude itself")
    return None


def require_order_for_exclusions(p: FunnelParams) -> str | None:
    if p.order == "any" and p.exclusions:
        return "exclusions need an ordered funnel (in sequence or strict): in any order no step comes between two others"
    return None


CHECKS = (require_step_count, require_positive_window, require_known_order, require_known_occurrence,
          require_step_windows_per_step, require_order_for_step_windows, require_inner_optional_steps,
          require_exclusions_between_steps, require_exclusion_not_a_step, require_order_for_exclusions)


def validate(p: FunnelParams) -> FunnelParams:
    """Run every named check; the first that fails raises FunnelParamsError with its name as the code."""
    for check in CHECKS:
        if (problem := check(p)) is not None:
            raise FunnelParamsError(check.__name__, problem)
    return p


def make_params(steps, window_days: float, order: str = "sequence", occurrence: str = "first",
                step_windows=None, optional=(), exclusions=()) -> FunnelParams:
    """Resolve plain inputs (lists, dicts, tuples) into validated, hashable FunnelParams.

    step_windows: a list with one entry per step, or {step number: days}; exclusions: Exclusion objects or
    (event_type, from_step, to_step) tuples."""
    steps = tuple(str(s) for s in steps)
    if isinstance(step_windows, dict):
        step_windows = [step_windows.get(k) for k in range(1, len(steps) + 1)]
    windows = tuple(None if d is None else float(d) for d in (step_windows or ()))
    while windows and windows[-1] is None:
        windows = windows[:-1]
    return validate(FunnelParams(
        steps=steps, window_days=float(window_days), order=order, occurrence=occurrence, step_windows=windows,
        optional=frozenset(int(k) for k in optional),
        exclusions=tuple(x if isinstance(x, Exclusion) else Exclusion(str(x[0]), int(x[1]), int(x[2]))
                         for x in exclusions),
    ))
