"""Templates are compiled once per process, whatever the number of apps built in it, and again when edited."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from webui.templating import COMPILED_TEMPLATES, CompiledTemplates


def test_a_template_is_compiled_once_and_again_when_its_source_changes():
    cache, compiled = CompiledTemplates(), []
    sources = {"page.html": "こんにちは {{ name }}"}

    class Counting(Environment):
        def _compile(self, source, filename):
            compiled.append(filename)
            return super()._compile(source, filename)

    def render() -> str:  # a new environment each time, as a new app has
        return Counting(loader=DictLoader(sources), bytecode_cache=cache).get_template("page.html").render(name="山田")

    assert render() == render() == "こんにちは 山田"
    assert len(compiled) == 1
    sources["page.html"] = "さようなら {{ name }}"
    assert render() == "さようなら 山田"
    assert len(compiled) == 2


def test_every_app_shares_the_process_cache(app):
    assert app.jinja_env.bytecode_cache is COMPILED_TEMPLATES
