#!/usr/bin/env python3
"""Pushes what batch and training jobs push, to a Pushgateway or to Vigil's push API.

Uses the official prometheus_client (push_to_gateway, pushadd_to_gateway, delete_from_gateway)
for text bodies, and protobuf bodies in the delimited MetricFamily format built with the
protobuf runtime from Vigil's Protos/metric_family.proto (compiled by protoc into a temporary
folder). Every step's HTTP status is printed as one JSON list, so two runs against two servers
can be compared step by step.
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, Info, Summary,
                               delete_from_gateway, disable_created_metrics, push_to_gateway,
                               pushadd_to_gateway)

from metric_family_runtime import CONTENT_TYPE as PROTOBUF_TYPE, delimited, load_protobuf_module


def request(url, method, body=b"", content_type="text/plain; version=0.0.4; charset=utf-8"):
    req = urllib.request.Request(url, data=body if method != "DELETE" else None, method=method,
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def client_status(action):
    """Runs a prometheus_client call: 200 when it succeeded, else the HTTP code it reported."""
    try:
        action()
        return 200
    except urllib.error.HTTPError as e:
        return e.code
    except OSError as e:
        text = str(e)
        for code in ("400", "404", "405", "415", "500", "503"):
            if code in text:
                return int(code)
        raise


def model_api_registry():
    """A model API's shapes: a request counter, one counter per predicted class, a processing-time
    histogram, a loss summary, a last-success gauge and an info metric."""
    r = CollectorRegistry()
    Counter("python_request_operations", "Requests served.", registry=r).inc(42)
    for cls, n in (("setosa", 17), ("versicolor", 15), ("virginica", 10)):
        Counter(f"python_iris_{cls}_predictions", f"Predictions of {cls}.", registry=r).inc(n)
    predictions = Counter("model_predictions", "Predictions by class.", ["class"], registry=r)
    predictions.labels("setosa").inc(3)
    predictions.labels("virginica").inc(4)
    h = Histogram("python_processing_time_seconds", "Processing time.", registry=r,
                  buckets=(0.005, 0.1, 1.0, 2.5, 1e6))
    for v in (0.001, 0.05, 0.05, 0.7, 3.0):
        h.observe(v)
    s = Summary("training_loss", "Loss per batch.", registry=r)
    for v in (0.9, 0.5, 0.25):
        s.observe(v)
    Gauge("training_last_success_unixtime", "Last successful run.", registry=r).set(1700000000)
    Info("model", "The model being trained.", registry=r).info({"version": "1.2.0", "framework": "sklearn"})
    return r


def protobuf_families(pb):
    families = []
    f = pb.MetricFamily(name="etl_rows_processed_total", help="Rows.", type=pb.COUNTER)
    m = f.metric.add()
    m.label.add(name="table", value="orders")
    m.counter.value = 1234
    m = f.metric.add()
    m.label.add(name="table", value="users")
    m.counter.value = 56
    families.append(f)

    f = pb.MetricFamily(name="etl_queue_depth", help="Queue depth.", type=pb.GAUGE)
    f.metric.add().gauge.value = -3.5
    families.append(f)

    f = pb.MetricFamily(name="etl_misc", type=pb.UNTYPED)
    f.metric.add().untyped.value = 7
    families.append(f)

    f = pb.MetricFamily(name="etl_batch_seconds", help="Batch time.", type=pb.SUMMARY)
    m = f.metric.add()
    m.label.add(name="stage", value="load")
    m.summary.sample_count = 9
    m.summary.sample_sum = 12.5
    for q, v in ((0.5, 1.25), (0.99, 4.0), (0.00001, 0.1)):
        m.summary.quantile.add(quantile=q, value=v)
    families.append(f)

    f = pb.MetricFamily(name="etl_row_bytes", help="Row size.", type=pb.HISTOGRAM)
    m = f.metric.add()
    m.histogram.sample_count = 20
    m.histogram.sample_sum = 1500.5
    for bound, count in ((0.00001, 1), (0.5, 4), (100, 10), (1e6, 19)):
        m.histogram.bucket.add(upper_bound=bound, cumulative_count=count)
    m = f.metric.add()
    m.label.add(name="table", value="users")
    m.histogram.sample_count = 3
    m.histogram.sample_sum = 3
    m.histogram.bucket.add(upper_bound=1, cumulative_count=3)
    m.histogram.bucket.add(upper_bound=float("inf"), cumulative_count=3)
    families.append(f)
    return families


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--protos", required=True, help="folder holding metric_family.proto")
    args = ap.parse_args()
    disable_created_metrics()
    pb = load_protobuf_module(args.protos)
    gw = args.gateway
    steps = []

    def step(name, status):
        steps.append([name, status])

    reg = model_api_registry()
    key = {"instance": "worker-1", "stage": "train/epoch 3", "model": "résumé"}
    step("push training", client_status(lambda: push_to_gateway(gw, job="training", registry=reg, grouping_key=key)))
    extra = CollectorRegistry()
    Gauge("training_batch_size", "Batch size.", registry=extra).set(64)
    Counter("python_request_operations", "Requests served.", registry=extra).inc(50)
    step("pushadd training", client_status(lambda: pushadd_to_gateway(gw, job="training", registry=extra, grouping_key=key)))

    spark = CollectorRegistry()
    Gauge("spark_job_duration_seconds", "Duration.", registry=spark).set(93.5)
    step("push spark", client_status(lambda: push_to_gateway(gw, job="spark-etl", registry=spark, grouping_key={"run": ""})))
    step("push spark other run", client_status(lambda: push_to_gateway(gw, job="spark-etl", registry=spark, grouping_key={"run": "42"})))
    step("delete spark", client_status(lambda: delete_from_gateway(gw, job="spark-etl")))

    report = CollectorRegistry()
    Gauge("report_pages", "Pages.", registry=report).set(12)
    step("push job with slash", client_status(lambda: push_to_gateway(gw, job="nightly/report", registry=report)))

    compressed = CollectorRegistry()
    Gauge("compressed_rows", "Rows, pushed gzip-compressed.", registry=compressed).set(77)
    step("push gzip", client_status(lambda: push_to_gateway(gw, job="compressed", registry=compressed, compression="gzip")))

    step("put protobuf", request(f"{gw}/metrics/job/etl/instance/host-a", "PUT", delimited(protobuf_families(pb)), PROTOBUF_TYPE))

    emptied = CollectorRegistry()
    Gauge("emptied_value", "Soon gone.", registry=emptied).set(1)
    step("push emptied", client_status(lambda: push_to_gateway(gw, job="emptied", registry=emptied)))
    step("put empty body", request(f"{gw}/metrics/job/emptied", "PUT", b""))

    step("timestamp refused", request(f"{gw}/metrics/job/stamped", "PUT", b"stamped_value 1 1700000000000\n"))
    step("type conflict refused", request(f"{gw}/metrics/job/conflict", "PUT",
                                          b"# TYPE python_request_operations_total gauge\npython_request_operations_total 1\n"))
    step("same series twice refused", request(f"{gw}/metrics/job/etl", "POST",
                                              b'etl_misc{instance="host-a"} 1\n'))
    step("reserved label refused", request(f"{gw}/metrics/job/bad/__x/y", "PUT", b"bad_value 1\n"))
    step("odd path refused", request(f"{gw}/metrics/job/bad/lonely", "PUT", b"bad_value 1\n"))
    step("garbage refused", request(f"{gw}/metrics/job/garbage", "PUT", b"garbage{ 1\n"))
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
