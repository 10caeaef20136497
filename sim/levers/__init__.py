"""Policy levers and social assistance, one component per file, and what they share: the on/off
switch, the rule after the transition period and cost indicators (`policy`), filling lever jobs in
priority order (`jobs`) and the means test of dibao and extreme-poverty support (`means_test`).

Levers never import each other; they meet through state the engine holds. A lever from another
installed package joins through the `ruralsim.components` entry point (sim/core/registry.py)."""
