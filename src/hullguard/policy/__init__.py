"""The gate policy: one YAML file, evaluated as a pure function into a decision."""

from hullguard.policy.evaluate import GateInputs, ImageFacts, evaluate_gate, facts_of
from hullguard.policy.load import load_gate_policy, parse_gate_policy
from hullguard.policy.model import Action, Decision, GatePolicy, Reason, Verdict

__all__ = [
    "Action",
    "Decision",
    "GateInputs",
    "GatePolicy",
    "ImageFacts",
    "Reason",
    "Verdict",
    "evaluate_gate",
    "facts_of",
    "load_gate_policy",
    "parse_gate_policy",
]
