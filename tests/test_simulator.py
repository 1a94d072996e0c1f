"""``desmigratif chat``: the terminal simulator and its script format."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.simulator import Simulator, chat

SCRIPT = Path(__file__).parent / "scripts" / "onboarding.chat"


async def run_script(settings, text: str) -> tuple[int, str]:
    out = io.StringIO()
    failures = await chat(
        settings, user_id=100001, language_code="id", script=io.StringIO(text), out=out
    )
    return failures, out.getvalue()


async def test_script_transcript_format(settings):
    failures, transcript = await run_script(
        settings, "# a comment\n/start\n[Basa Jawa]\n[2]\n:advance 2h\n"
    )
    assert failures == 0
    lines = transcript.splitlines()
    assert lines[0] == "# a comment"
    assert lines[1] == "> /start"
    assert lines[2].startswith("< ")
    assert "  [1] ✓ Bahasa Indonesia" in lines
    assert "  [2] Basa Jawa" in lines
    assert "> [Basa Jawa]" in lines
    assert any(line.startswith("< (edited) ") for line in lines)
    assert any("due item(s) run" in line for line in lines)


async def test_button_press_is_case_insensitive_and_numbered(settings):
    failures, transcript = await run_script(settings, "/start\n[basa jawa]\n1\n")
    assert failures == 0
    assert transcript.count("< (edited)") == 2


async def test_failing_step_is_reported(settings):
    failures, transcript = await run_script(settings, "/start\n[No such button]\n[99]\n")
    assert failures == 2
    assert "! no button 'No such button'" in transcript


async def test_user_switch(settings):
    failures, transcript = await run_script(settings, "/start\n:user 777\n/menu\n")
    assert failures == 0
    assert transcript.count("> /") == 2


async def test_media_and_edit_lines(settings):
    failures, transcript = await run_script(settings, "/start\n<sticker>\n:edit halo\n")
    assert failures == 0
    assert "Di sini saya hanya bisa membaca pesan teks" in transcript
    assert "Mengedit pesan sebelumnya" in transcript


async def test_say_sends_digits_as_typed(app, emulator, clock):
    # "2" alone presses the second button; ":say 2" types it, as someone typing a year would.
    out = io.StringIO()
    simulator = Simulator(app, emulator, clock, user_id=100002, language_code="id", out=out)
    for line in ["/start", ":say 2", ":say 03-2027"]:
        await simulator.run_line(line)
    typed = [m.text for m in emulator.history(100002) if not m.from_bot]
    assert typed == ["/start", "2", "03-2027"]
    await simulator.run_line("2")
    assert [m.text for m in emulator.history(100002) if not m.from_bot] == typed  # a press
    assert simulator.failures == 0


def test_cli_script_exit_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/chat.sqlite3")
    assert main(["chat", "--script", str(SCRIPT)]) == 0
    out = capsys.readouterr().out
    assert "> /start v_jogosimo" in out
    assert main(["chat", "--channel", "telegram", "--script", str(SCRIPT)]) == 0
    with pytest.raises(SystemExit) as refused:  # argparse: not a channel (yet)
        main(["chat", "--channel", "signal", "--script", str(SCRIPT)])
    assert refused.value.code == 2
    assert "invalid choice: 'signal'" in capsys.readouterr().err
    bad = tmp_path / "bad.chat"
    bad.write_text("/start\n[Klingon]\n", encoding="utf-8")
    assert main(["chat", "--script", str(bad)]) == 1


def test_interactive_chat(settings):
    import asyncio

    lines = iter(["/start", "2"])

    def fake_input(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    result = asyncio.run(
        chat(settings, user_id=1, language_code="id", script=None, out=out, input_func=fake_input)
    )
    assert result == 0
    assert "[3] English" in out.getvalue()


def test_run_without_token(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN is not set" in err
    assert "desmigratif chat" in err
