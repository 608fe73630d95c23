"""URL rules whose compiled builders are shared by every app a test run makes.

Werkzeug compiles two URL builders (Python code, through `ast` and `compile()`) for each rule of
each app: with a new app per test that was about a quarter of the suite's CPU. A builder is a
function of the rule's parsed parts, its defaults and its converters' types only; it reads the rule
it builds for through its first argument, bound per rule. So two apps' identical rules can share
one function, bound to each: what each builds is exactly what it built before.

The override leans on `Rule._compile_builder` and `Rule._trace`, Werkzeug internals:
tests/foundation/test_shared_builders.py fails if an upgrade changes them, and the site itself never
uses this class (only the suite sets `Flask.url_rule_class`).
"""
from werkzeug.routing import Rule

_BUILDERS = {}  # (rule, parts, defaults, converter types, append_unknown) -> the builder function


class RuleWithSharedBuilders(Rule):
    def _compile_builder(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               tuple(sorted((name, type(conv).__name__) for name, conv in self._converters.items())),
               append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder
