"""Lists of executions: offset pages with a total (every dialect), cursor pages."""
from jobgate.testing.requirements import requires


def test_offset_pages_with_total(driver):
    submitted = {driver.submit("PagedJob") for _ in range(3)}
    first, total = driver.page("PagedJob", 0, 2)
    second, total_again = driver.page("PagedJob", 2, 2)
    assert len(first) == 2 and total == total_again and total >= 3
    assert not set(first) & set(second)
    everything = set()
    for offset in range(0, total, 2):
        everything |= set(driver.page("PagedJob", offset, 2)[0])
    assert submitted <= everything and len(everything) == total
    for ref in submitted:
        driver.wait(ref)


@requires.cursor_paging
def test_cursor_pages_walk_every_execution_once(driver):
    submitted = {driver.submit("PagedJob") for _ in range(5)}
    seen, cursor = [], None
    for _ in range(1000):
        refs, cursor = driver.cursor_page("PagedJob", 2, cursor)
        assert len(refs) <= 2
        seen += refs
        if cursor is None:
            break
    assert cursor is None, "the cursor never reached the end"
    assert len(seen) == len(set(seen)), "an execution came twice"
    assert submitted <= set(seen)
    assert len(seen) == driver.page("PagedJob", 0, 1)[1]
    for ref in submitted:
        driver.wait(ref)


__all__ = [name for name in dir() if name.startswith("test_")]
