"""Pause points for the process-fault tests (tests/faults): inert unless a test switches one on.

``AUDIT_INSIGHT_FAULT_PAUSE_AT=<stage>`` makes the process stop at that stage: it writes its pid and the
stage to ``AUDIT_INSIGHT_FAULT_PAUSE_FILE`` and sleeps (``AUDIT_INSIGHT_FAULT_PAUSE_S``, default 300 s),
so a test can ``kill -9`` it at exactly that point. Without the variable (every real run) a pause point
is one dictionary look-up and does nothing.

Stages: ``load`` (inside a raw file's load transaction, rows inserted, not committed),
``publish_written`` (the new release written and audited in ``releases/<id>.tmp``, not renamed) and
``publish_renamed`` (the release renamed into place, ``current`` not yet swapped).
"""

import os
import time
from pathlib import Path

STAGES = ("load", "publish_written", "publish_renamed")


def pause_point(stage: str) -> None:
    if os.environ.get("AUDIT_INSIGHT_FAULT_PAUSE_AT") != stage:
        return
    marker = os.environ.get("AUDIT_INSIGHT_FAULT_PAUSE_FILE")
    if marker:
        Path(marker).write_text(f"{os.getpid()} {stage}\n", encoding="utf-8")
    time.sleep(float(os.environ.get("AUDIT_INSIGHT_FAULT_PAUSE_S", "300")))
