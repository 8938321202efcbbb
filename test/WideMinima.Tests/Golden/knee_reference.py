"""Generates knee_reference.json: the LR sequence of the paper's reference KneeLRScheduler.

The arithmetic below follows the reference's get_lr(global_step) operation for operation (Python floats
are IEEE doubles, as C# doubles are), and its stepping: lr(1) at construction, lr(k+1) after the k-th
step(). Regenerate with:  python3 test/WideMinima.Tests/Golden/knee_reference.py
"""
import json, os


def reference_lr(peak_lr, warmup_steps, explore_steps, total_steps, global_step):
    decay_steps = total_steps - (explore_steps + warmup_steps)
    if global_step <= warmup_steps:
        return peak_lr * global_step / warmup_steps
    elif global_step <= (explore_steps + warmup_steps):
        return peak_lr
    else:
        slope = -1 * peak_lr / decay_steps
        return max(0.0, peak_lr + slope * (global_step - (explore_steps + warmup_steps)))


cases = []
for peak, w, e, t, extra in [
    (0.1, 0, 50, 100, 5),      # the paper's default: half the budget explores
    (0.4, 5, 10, 37, 3),       # warmup, odd decay length
    (1.0, 3, 0, 10, 2),        # no explore: warmup then linear decay
    (0.05, 0, 0, 7, 2),        # no warmup, no explore
    (0.1, 2, 8, 10, 0),        # explore fills the budget: the reference divides by zero after T
    (0.3, 10, 0, 10, 0),       # warmup fills the budget
    (0.7, 1, 1, 1000, 10),     # long decay: rounding of peak/D*(s-W-E) matters
]:
    lrs = [reference_lr(peak, w, e, t, s) for s in range(1, t + extra + 1)]
    cases.append({"peak": peak, "warmup": w, "explore": e, "total": t, "lrs": [repr(x) for x in lrs]})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "knee_reference.json"), "w") as f:
    json.dump(cases, f, indent=1)
