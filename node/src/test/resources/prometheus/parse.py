"""Parses Prometheus text exposition from stdin with Debian's python3-prometheus-client (the parser
Prometheus' own Python client ships) and prints one JSON object per sample: name, labels, value, and the
family's type. Any parse error exits non-zero with the parser's message."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            print(json.dumps({"family": family.name, "type": family.type, "name": sample.name,
                              "labels": sample.labels, "value": sample.value}))
except Exception as e:  # the parser's own errors are ValueError and friends; all are a failure here
    print("parse error: %s" % e, file=sys.stderr)
    sys.exit(3)
