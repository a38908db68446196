"""`inkan print queue|batch`: list the queue, print a batch to a file with progress, Ctrl+C cancels cleanly."""

from __future__ import annotations

import signal

import webui.print_cli
from registry.documents.models import PrintQueueItem
from tests.printing_ui.conftest import page_count, pdf_text
from tests.printing_ui.test_batch import queue_deletion_notices


def test_queue_lists_waiting_documents(app, product, driver):
    (item_id, name), = queue_deletion_notices(product, driver, 1)
    result = app.test_cli_runner().invoke(args=["print", "queue", "--document", "deletion_notice"])
    assert result.exit_code == 0, result.output
    assert f"{item_id:>6}" in result.output and name in result.output and "印刷待ち:" in result.output


def test_batch_writes_one_pdf_with_progress(app, product, driver, tmp_path):
    queued = queue_deletion_notices(product, driver, 2)
    out = tmp_path / "notices.pdf"
    result = app.test_cli_runner().invoke(args=["print", "batch", "--document", "deletion_notice", "-o", str(out)])
    assert result.exit_code == 0, result.output
    total = int(result.output.split("作成中 ")[-1].split(" / ")[1].split(" ")[0])
    assert f"作成中 {total} / {total} 件" in result.output and "件を1つのPDFにしました" in result.output
    pdf = out.read_bytes()
    assert page_count(pdf) == total >= 2
    assert all("".join(name.split()) in pdf_text(pdf) for _, name in queued)
    nothing = app.test_cli_runner().invoke(args=["print", "batch", "--document", "deletion_notice",
                                                 "--date", "2001-01-01"])
    assert nothing.exit_code != 0 and "印刷待ちの抹消通知書はありません" in nothing.output


def test_ctrl_c_cancels_between_documents(app, product, driver, tmp_path, monkeypatch):
    queued = queue_deletion_notices(product, driver, 2)
    real = webui.print_cli.run_batch

    def interrupted_after_the_first(*args, on_progress, **kwargs):
        def progress(done, total):
            on_progress(done, total)
            if done == 1:
                signal.raise_signal(signal.SIGINT)  # what Ctrl+C sends; the CLI's handler asks the job to stop

        return real(*args, on_progress=progress, **kwargs)

    monkeypatch.setattr(webui.print_cli, "run_batch", interrupted_after_the_first)
    out = tmp_path / "never.pdf"
    result = app.test_cli_runner().invoke(args=["print", "batch", "--document", "deletion_notice", "-o", str(out)])
    assert result.exit_code == 130 and "取り消しました" in result.output and not out.exists()
    with product.session_factory() as session:
        for item_id, _ in queued:
            item = session.get(PrintQueueItem, item_id)
            assert item.status == "queued" and item.batch_job_id is None
