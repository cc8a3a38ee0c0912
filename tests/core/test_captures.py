from archivist.core.captures import TERMINAL, CaptureStatus, can_move, can_reopen, sources_of, spn_status


def test_status_only_moves_forward() -> None:
    assert can_move(CaptureStatus.QUEUED, CaptureStatus.FETCHING)
    assert can_move(CaptureStatus.FETCHING, CaptureStatus.FETCHING)  # a redelivered fetch re-claims
    assert can_move(CaptureStatus.FETCHING, CaptureStatus.EXTRACTING)
    assert can_move(CaptureStatus.EXTRACTING, CaptureStatus.ARCHIVED)
    assert not can_move(CaptureStatus.EXTRACTING, CaptureStatus.FETCHING)
    assert not can_move(CaptureStatus.QUEUED, CaptureStatus.ARCHIVED)
    for final in TERMINAL:
        assert not any(can_move(final, target) for target in CaptureStatus)


def test_only_the_fetch_steps_holder_archives_straight_from_fetching() -> None:
    assert not can_move(CaptureStatus.FETCHING, CaptureStatus.ARCHIVED)
    assert can_move(CaptureStatus.FETCHING, CaptureStatus.ARCHIVED, holding=True)
    assert not can_move(CaptureStatus.QUEUED, CaptureStatus.ARCHIVED, holding=True)
    assert not can_move(CaptureStatus.FAILED, CaptureStatus.ARCHIVED, holding=True)


def test_only_failed_captures_reopen_and_only_to_a_live_step() -> None:
    assert can_reopen(CaptureStatus.FAILED, CaptureStatus.QUEUED)
    assert can_reopen(CaptureStatus.FAILED, CaptureStatus.EXTRACTING)
    assert not can_reopen(CaptureStatus.FAILED, CaptureStatus.ARCHIVED)
    assert not can_reopen(CaptureStatus.ARCHIVED, CaptureStatus.QUEUED)
    assert not can_reopen(CaptureStatus.FETCHING, CaptureStatus.QUEUED)


def test_every_live_status_can_fail() -> None:
    assert sources_of(CaptureStatus.FAILED) == {CaptureStatus.QUEUED, CaptureStatus.FETCHING, CaptureStatus.EXTRACTING}
    assert sources_of(CaptureStatus.ARCHIVED) == {CaptureStatus.EXTRACTING}
    assert sources_of(CaptureStatus.EXTRACTING) == {CaptureStatus.FETCHING}


def test_save_page_now_words() -> None:
    assert spn_status(CaptureStatus.ARCHIVED) == "success"
    assert spn_status(CaptureStatus.FAILED) == "error"
    assert spn_status(CaptureStatus.FETCHING) == "pending"
