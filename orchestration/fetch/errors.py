"""The one exception the fetch layer raises, and the internal signal used between its steps."""


class FetchError(RuntimeError):
    """A release could not be fetched. ``str()`` names the source, release, redacted URL and what was wrong.

    ``attempts`` holds every :class:`~orchestration.fetch.log.FetchAttempt` made (retries included), so the
    caller can still write them to ``meta.fetch_log`` before failing the run.
    """

    def __init__(self, source_id: str, release: str, url_redacted: str, reason: str, attempts=()):
        self.source_id = source_id
        self.release = release
        self.url_redacted = url_redacted
        self.reason = reason
        self.attempts = tuple(attempts)
        super().__init__(f"{source_id} release {release}: {url_redacted} {reason}")

    def __reduce__(self):
        # Keep the exception picklable (run launchers may ship errors across processes).
        return (type(self), (self.source_id, self.release, self.url_redacted, self.reason, self.attempts))


class FetchProblem(Exception):
    """Internal: one attempt failed. ``reason`` reads on after the URL ("returned HTTP 404 ...")."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = False,
        http_status: int | None = None,
        retry_after: str | None = None,
        bytes_read: int = 0,
        sha256: str | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.http_status = http_status
        self.retry_after = retry_after
        self.bytes_read = bytes_read
        self.sha256 = sha256
