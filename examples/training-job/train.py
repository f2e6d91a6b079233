#!/usr/bin/env python3
"""A training job that reports to Vigil's push API (or any Pushgateway) with prometheus_client.

Trains a toy classifier on the iris measurements for a few epochs, pushing after every epoch
(POST: the epoch's families replace their old values, the rest of the group stays) and once at
the end (PUT: the group becomes exactly the final report, with the time of the last success).
A failed run pushes only `training_last_failure_unixtime`, so the last success stays visible.

    python3 train.py --gateway localhost:9090 --job iris-training --epochs 5

Grouping key: job, model and the host as `instance`, so runs on two machines do not overwrite
each other. Queries: `training_accuracy`, `time() - training_last_success_unixtime` (how stale
the model is), `rate(training_samples_total[1h])`.
"""
import argparse
import math
import random
import socket
import sys
import time

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, pushadd_to_gateway,
                               push_to_gateway)

# Petal length and width of the three iris classes (means and spreads), for synthetic samples.
CLASSES = {"setosa": (1.46, 0.25), "versicolor": (4.26, 1.33), "virginica": (5.55, 2.03)}


def sample(rng):
    name = rng.choice(sorted(CLASSES))
    length, width = CLASSES[name]
    return (rng.gauss(length, 0.3), rng.gauss(width, 0.15)), name


def train(args):
    registry = CollectorRegistry()
    loss = Gauge("training_loss", "Cross-entropy loss after the epoch.", registry=registry)
    accuracy = Gauge("training_accuracy", "Accuracy on the held-out samples.", registry=registry)
    epoch_gauge = Gauge("training_epoch", "The last epoch finished.", registry=registry)
    samples = Counter("training_samples", "Samples trained on.", registry=registry)
    per_class = Counter("training_class_samples", "Samples trained on, by class.", ["class"], registry=registry)
    epoch_seconds = Histogram("training_epoch_duration_seconds", "Time an epoch took.", registry=registry,
                              buckets=(0.01, 0.1, 1, 10, 60, 600))
    key = {"model": args.model, "instance": args.instance}
    rng = random.Random(args.seed)
    centroids = {name: [0.0, 0.0] for name in CLASSES}
    for epoch in range(1, args.epochs + 1):
        with epoch_seconds.time():
            for _ in range(args.batch):
                (x, y), name = sample(rng)
                c = centroids[name]
                c[0] += (x - c[0]) * 0.05
                c[1] += (y - c[1]) * 0.05
                samples.inc()
                per_class.labels(name).inc()
            correct, total_loss = 0, 0.0
            for _ in range(100):
                (x, y), name = sample(rng)
                scores = {n: -math.hypot(x - c[0], y - c[1]) for n, c in centroids.items()}
                norm = math.log(sum(math.exp(s) for s in scores.values()))
                total_loss -= scores[name] - norm
                correct += max(scores, key=scores.get) == name
            time.sleep(args.sleep)
        loss.set(total_loss / 100)
        accuracy.set(correct / 100)
        epoch_gauge.set(epoch)
        pushadd_to_gateway(args.gateway, job=args.job, registry=registry, grouping_key=key)
        print(f"epoch {epoch}: loss {total_loss / 100:.3f}, accuracy {correct}%", flush=True)
    Gauge("training_last_success_unixtime", "When the job last finished.", registry=registry).set_to_current_time()
    push_to_gateway(args.gateway, job=args.job, registry=registry, grouping_key=key)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gateway", default="localhost:9090", help="Vigil (or a Pushgateway): host:port")
    ap.add_argument("--job", default="iris-training")
    ap.add_argument("--model", default="iris")
    ap.add_argument("--instance", default=socket.gethostname())
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--sleep", type=float, default=0.5, help="seconds of pretend work per epoch")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    try:
        train(args)
    except Exception as error:  # report the failure, keep the last success
        failed = CollectorRegistry()
        Gauge("training_last_failure_unixtime", "When the job last failed.", registry=failed).set_to_current_time()
        try:
            pushadd_to_gateway(args.gateway, job=args.job, registry=failed,
                               grouping_key={"model": args.model, "instance": args.instance})
        finally:
            print(f"training failed: {error}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
