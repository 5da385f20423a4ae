"""Cycle checklists: each carrying-out of an SOP (a run) and the proof that it was followed.

A checklist file ``sop_data/checklist/<slug>/<run>.yaml`` holds a snapshot of the SOP's flow
taken when the cycle started (so an SOP edited mid-cycle is noticed, never mixed in) and an
append-only history of completions. Everything that decides what may happen is pure: given the
snapshot and the events, `replay` says which step may be done now, which passes ran and what
was reopened; `cycle_status` adds elapsed working time against each step's standard. Time is
always passed in. The only side effects live in the small store (`store`):
strict reading (a hand-broken file is a located error and is never overwritten) and atomic,
locked writes (temporary file in the same folder, fsync, rename).
"""

from __future__ import annotations

from generator.checklist.calendar import (  # noqa: F401
    NOW_ENV,
    WorkCalendar,
    current_time,
    national_holidays,
    office_zone,
    parse_time,
    show_time,
)
from generator.checklist.records import (  # noqa: F401
    CHECKLIST_DIR,
    DECISIONS,
    END_WORD,
    LOCK_TIMEOUT,
    MAX_RUN_ID,
    MAX_TEXT,
    RUN_ID_PATTERN,
    Cancellation,
    Checklist,
    Correction,
    Entry,
    Event,
    History,
    IllegalEvent,
    StepSpec,
    apply_entries,
    content_hash,
    new_checklist,
    revision_changes,
    snapshot,
    sop_changes,
    step_matcher,
)
from generator.checklist.report import (  # noqa: F401
    CycleReport,
    EntryRow,
    StepLine,
    cycle_report,
    entry_rows,
    next_lanes,
    report_of,
    state_text,
)
from generator.checklist.state import (  # noqa: F401
    State,
    advance,
    allowed_text,
    cancel_run,
    complete_step,
    correct_step,
    initial_state,
    order_refusal,
    parse_step,
    refusal,
    replay,
    time_refusal,
)
from generator.checklist.status import (  # noqa: F401
    Completion,
    CycleStatus,
    StepStatus,
    completions,
    corrected_text,
    correction_changes,
    cycle_status,
    done_text,
    remaining_path,
    started_text,
    status_json,
    status_text,
)
from generator.checklist.store import (  # noqa: F401
    cancel_cycle,
    check_checklists,
    checklist_path,
    checklist_records,
    load_checklists,
    make_folder,
    open_checklist,
    read_checklist,
    record_correction,
    record_done,
    shared_mode,
    start_run,
    validate_run_id,
    validate_slug,
    write_atomic,
)
from generator.checklist.summary import (  # noqa: F401
    CycleSummary,
    RevisionCoverage,
    StepTimes,
    cycle_times,
    list_text,
    revision_coverage,
    summarize,
    summary_json,
    summary_of,
)
from generator.checklist.yamlform import (  # noqa: F401
    audit_checklist,
    dump_checklist,
    parse_checklist,
)
