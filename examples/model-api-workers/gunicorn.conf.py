"""gunicorn settings for prometheus_client's multiprocess mode: a worker that exits has its
live-gauge files removed, so /metrics stops counting it."""
from prometheus_client import multiprocess


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
