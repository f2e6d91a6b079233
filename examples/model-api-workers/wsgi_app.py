"""The model API as a WSGI app for gunicorn with several worker processes, as teams deploy it.

    gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi_app:app

Each worker counts requests and predictions on its own (a background thread makes a few
predictions per second in every worker). Without PROMETHEUS_MULTIPROC_DIR, /metrics shows the
counts of whichever worker took the connection, so counters jump between four unrelated values
at every scrape: Vigil flags the target (vigil_target_counter_resets_suspicious, the targets
page). With it set (an empty directory, and `-c gunicorn.conf.py` so a dead worker's files are
cleaned up), every worker writes its counts there and /metrics adds them up:

    mkdir -p /tmp/metrics && PROMETHEUS_MULTIPROC_DIR=/tmp/metrics \\
        gunicorn -c gunicorn.conf.py --workers 4 --bind 127.0.0.1:8000 wsgi_app:app
"""
import os
import random
import threading
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, CONTENT_TYPE_LATEST
from prometheus_client import multiprocess

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUESTS = Counter("python_request_operations", "The total number of processed requests")
PREDICTIONS = Counter("python_iris_predictions", "Predictions per predicted class", ["species"])
PROCESSING = Histogram("python_processing_time_seconds", "Time spent processing a request",
                       buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0))
MODEL = Gauge("python_model_info", "The loaded model", ["version"], multiprocess_mode="max")
MODEL.labels(version="iris-1.0").set(1)
SPECIES = ["setosa", "versicolor", "virginica"]


def predict():
    with PROCESSING.time():
        REQUESTS.inc()
        species = random.choice(SPECIES)
        PREDICTIONS.labels(species=species).inc()
        return species


def traffic(rate):
    # Workers see different traffic, as behind a real load balancer.
    rate *= random.uniform(0.3, 1.7)
    while True:
        predict()
        time.sleep(random.uniform(0.5, 1.5) / rate)


def metrics_body():
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/metrics":
        body = metrics_body()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/predict":
        body = (predict() + "\n").encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found\n"]


# gunicorn imports the app in every worker (without --preload): one traffic thread per worker.
threading.Thread(target=traffic, args=(float(os.environ.get("MODEL_API_RATE", "5")),), daemon=True).start()
