"""The suite's shared URL builders (tests/shared_builders.py) build exactly what Werkzeug's own do.

They lean on Werkzeug internals (`Rule._compile_builder`, `Rule._trace`): an upgrade that changes
them fails here, not somewhere obscure in the suite."""
import inspect

from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from tests.conftest import make_app
from tests.shared_builders import RuleWithSharedBuilders


def _sample(rule):
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 42
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "len"
        else:
            values[name] = "chu-ky/ảnh 1"  # a path, Vietnamese, a space: each must be quoted alike
    return values


def test_werkzeug_still_has_what_the_shared_builders_lean_on():
    assert list(inspect.signature(Rule._compile_builder).parameters) == ["self", "append_unknown"]
    rule = Rule("/a/<int:x>")
    from werkzeug.routing import Map

    Map([rule])
    assert isinstance(rule._trace, list) and (True, "x") in rule._trace


def test_every_rule_builds_the_same_url_as_with_werkzeugs_own_rules(tmp_path, monkeypatch):
    shared = make_app(tmp_path / "shared")
    assert Flask.url_rule_class is RuleWithSharedBuilders
    monkeypatch.setattr(Flask, "url_rule_class", Rule)
    plain = make_app(tmp_path / "plain")
    assert not any(isinstance(rule, RuleWithSharedBuilders) for rule in plain.url_map.iter_rules())

    rules = list(shared.url_map.iter_rules())
    assert len(rules) > 100
    shared_adapter = shared.url_map.bind("localhost")
    plain_adapter = plain.url_map.bind("localhost")
    for rule in rules:
        values = _sample(rule)
        for extra in ({}, {"trang": 2, "q": "nguyễn văn"}):  # unknown arguments go to the query string
            built = shared_adapter.build(rule.endpoint, {**values, **extra}, method=sorted(rule.methods)[0])
            expected = plain_adapter.build(rule.endpoint, {**values, **extra}, method=sorted(rule.methods)[0])
            assert built == expected, rule.rule


def test_two_apps_share_one_builder_per_rule_each_bound_to_its_own_rule(tmp_path):
    first, second = make_app(tmp_path / "a"), make_app(tmp_path / "b")
    rule_a = next(r for r in first.url_map.iter_rules() if r.arguments)
    rule_b = next(r for r in second.url_map.iter_rules() if r.rule == rule_a.rule)
    assert rule_a._build.__func__ is rule_b._build.__func__
    assert rule_a._build.__self__ is rule_a and rule_b._build.__self__ is rule_b
