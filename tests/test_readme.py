"""Docs that cannot rot: the README's Python runs as written, the files the docs name exist, and
no user-facing text refers to "the chapter" instead of saying what the number or behaviour is."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import click
import pytest

from netcache.cli.main import COMMANDS
from netcache.devtools.messages_server import MessagesAPIServer
from tests.support.tasks import ROOT, clean_env

README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
#: a path in prose: segments joined by "/", ending in a file extension or a "/" (a folder)
PATH_RE = re.compile(r"(?<![\w./:<{-])((?:[A-Za-z_][\w.-]*/)+"
                     r"(?:[\w-]+\.(?:py|md|yaml|yml|json|jsonl|lua|sh|txt|toml|log))?)(?![\w/*<{])")
#: where user-facing text lives: the package sources (docstrings, #: comments, help texts, data files)
SOURCE_DIRS = ("netcache", "events", "worker", "tasks")
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".md", ".lua", ".txt"}


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


@pytest.fixture
def llm_server():
    server = MessagesAPIServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("n", range(len(python_blocks(README.read_text()))))
def test_each_python_snippet_of_the_readme_runs_as_written(n, redis_url, redis_client, llm_server, tmp_path):
    code = python_blocks(README.read_text())[n]
    script = tmp_path / f"readme_{n}.py"
    script.write_text(code)
    env = clean_env(redis_url=redis_url, llm__base_url=llm_server.url)
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"README snippet {n} failed:\n{code}\n--- stderr\n{proc.stderr[-3000:]}"
    if "get_or_generate" in code:  # it really went through the LLM and the cache
        assert llm_server.calls >= 1 and proc.stdout.split()[0] == "generated", proc.stdout
        assert any(True for _ in redis_client.scan_iter("{nc}:e:*"))


def test_the_readme_has_python_snippets_and_they_import_from_netcache():
    blocks = python_blocks(README.read_text())
    assert blocks
    assert "from netcache import AnswerCache, Settings" in blocks[0]
    assert not re.search(r"^\s*(from|import) (cache|events|tasks|worker)\b", "\n".join(blocks), flags=re.M)


def test_every_file_and_folder_the_docs_name_exists():
    missing = []
    for doc in DOCS:
        for path in sorted(set(PATH_RE.findall(doc.read_text()))):
            if not (ROOT / path).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {path}")
    assert not missing, "\n".join(missing)


def test_the_path_check_finds_paths_in_prose_and_ignores_urls_interface_names_and_templates():
    text = ("see `netcache/cli/tune.py`, the folder `events/syslog/` and cache/ and tests/data/x.jsonl; "
            "not http://host:8088/v1/alertmanager, Gi0/1, et-/xe-/ge-, start/stop or `netcache/lua/<name>.lua`")
    assert PATH_RE.findall(text) == ["netcache/cli/tune.py", "events/syslog/", "cache/", "tests/data/x.jsonl"]


def _help_texts(command: click.Command, ctx: click.Context) -> list[str]:
    out = [command.help or "", command.short_help or "", command.epilog or ""]
    out += [getattr(p, "help", None) or "" for p in command.params]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                out += _help_texts(sub, click.Context(sub, parent=ctx, info_name=name))
    return out


def test_no_help_text_of_any_command_mentions_the_chapter():
    offenders = []
    for name, target in sorted(COMMANDS.items()):
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        for text in _help_texts(command, click.Context(command, info_name=name)):
            if "chapter" in text.lower():
                offenders.append(f"netcache {name}: {text!r}")
    assert not offenders, "\n".join(offenders)


def test_no_doc_docstring_comment_or_data_file_mentions_the_chapter():
    files = [*DOCS, ROOT / "docker-compose.yml", ROOT / "Dockerfile"]
    for folder in SOURCE_DIRS:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts]
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
                 for p in files if p.exists()
                 for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
                 if "chapter" in line.lower()]
    assert not offenders, "\n".join(offenders)


def test_the_report_of_an_empty_cache_says_what_it_assumed(redis_client, settings):
    from netcache.metrics.report import build_report

    text = build_report(redis_client, settings).render()
    assert "chapter" not in text.lower()
    assert "assumed 150k requests/month" in text and "assumed $0.10 per call" in text
