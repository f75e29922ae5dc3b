"""SQS and payload helpers for scripts/lambda-smoke, run with the venv's Python (boto3
comes with moto). Talks only to the endpoint in AWS_ENDPOINT_URL_SQS (moto_server).

  create-queues PREFIX ENV_FILE   make the queues the functions write to; set their
                                  URLs in ENV_FILE as the functions' variables (other
                                  lines of an existing ENV_FILE are kept)
  drain URL OUT                   receive (and delete) every message; write the bodies
                                  as a JSON list to OUT; print how many
  sqs-event BODIES ARN OUT        wrap the bodies in BODIES as a Lambda SQS event
  check-response OUT PAYLOAD [strict]
                                  the invoke output is JSON; a batch response names
                                  only messages of PAYLOAD, not all (strict: none)
  check-envelopes BODIES          every body is a CloudEvents envelope from normalize
"""

import json
import os
import sys
import uuid

import boto3


def sqs():
    endpoint = os.environ.get("AWS_ENDPOINT_URL_SQS")
    if not endpoint:
        sys.exit("AWS_ENDPOINT_URL_SQS is not set: refusing to talk to a real SQS")
    # The Rust SDK reads AWS_REGION; boto3 only AWS_DEFAULT_REGION. Either will do here.
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return boto3.client("sqs", endpoint_url=endpoint, region_name=region)


def create_queues(prefix, env_file):
    client = sqs()

    def make(name, fifo=False):
        attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
        return client.create_queue(QueueName=prefix + name, Attributes=attributes)["QueueUrl"]

    urls = {
        "EVENTS_QUEUE_URL": make("events"),
        "SECURITY_ALERTS_QUEUE_URL": make("security-alerts"),
        "AUDIT_TIMELINE_QUEUE_URL": make("audit-timeline.fifo", fifo=True),
    }
    try:
        with open(env_file, encoding="utf-8") as existing:
            kept = [line for line in existing if line.split("=", 1)[0] not in urls]
    except FileNotFoundError:
        kept = []
    with open(env_file, "w", encoding="utf-8") as out:
        out.writelines(kept)
        for name, url in urls.items():
            out.write(f"{name}={url}\n")
            print(f"{name}={url}")


def drain(url, out_file):
    client = sqs()
    bodies = []
    while True:
        got = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not got:
            break
        for message in got:
            bodies.append(message["Body"])
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    with open(out_file, "w", encoding="utf-8") as out:
        json.dump(bodies, out)
    print(len(bodies))


def sqs_event(bodies_file, arn, out_file):
    with open(bodies_file, encoding="utf-8") as f:
        bodies = json.load(f)
    region = arn.split(":")[3]
    records = [
        {
            "messageId": str(uuid.uuid4()),
            "receiptHandle": f"smoke-{i}",
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1700000000000",
                "SenderId": "smoke",
                "ApproximateFirstReceiveTimestamp": "1700000000000",
            },
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": region,
        }
        for i, body in enumerate(bodies)
    ]
    with open(out_file, "w", encoding="utf-8") as out:
        json.dump({"Records": records}, out)


def check_response(path, payload_path, strict=""):
    """A batch response may name only messages of the batch it answers, and not all of
    them (fixtures may hold a poison message on purpose); with "strict", none at all.
    From a FIFO queue, nothing after a failed message may be left out (it would overtake
    it): the failures are the tail of the batch."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        response = json.loads(text)
    except json.JSONDecodeError as err:
        sys.exit(f"{path}: the function's output is not JSON ({err}): {text[:500]!r}")
    if isinstance(response, dict) and "errorType" in response:
        sys.exit(f"{path}: the function failed: {text[:1000]}")
    with open(payload_path, encoding="utf-8") as f:
        payload = json.load(f)
    if isinstance(payload, dict) and isinstance(payload.get("Records"), list):
        if not isinstance(response, dict) or not isinstance(response.get("batchItemFailures"), list):
            sys.exit(f"{path}: an SQS batch must be answered with batchItemFailures: {text[:500]}")
        batch = [record["messageId"] for record in payload["Records"]]
        failed = [item.get("itemIdentifier") for item in response["batchItemFailures"]]
        strangers = [item for item in failed if item not in batch]
        if strangers:
            sys.exit(f"{path}: failures name messages not in the batch: {strangers}")
        if strict == "strict" and failed:
            sys.exit(f"{path}: {len(failed)} of {len(batch)} messages failed: {failed}")
        if batch and len(failed) == len(batch):
            sys.exit(f"{path}: every message of the batch failed: {failed}")
        fifo = any(str(record.get("eventSourceARN", "")).endswith(".fifo") for record in payload["Records"])
        if fifo and failed and failed != batch[len(batch) - len(failed):]:
            sys.exit(f"{path}: from a FIFO queue, the failures must be the batch's tail: {failed}")
        print(f"{len(batch) - len(failed)} of {len(batch)} messages succeeded; failed: {failed}")
    else:
        print(json.dumps(response)[:400])


def check_envelopes(bodies_file):
    with open(bodies_file, encoding="utf-8") as f:
        bodies = json.load(f)
    required = ("specversion", "id", "source", "type", "time", "region", "data")
    for i, body in enumerate(bodies):
        envelope = json.loads(body)
        missing = [key for key in required if key not in envelope]
        if missing:
            sys.exit(f"events queue message {i} lacks {missing}: {body[:300]}")


COMMANDS = {
    "create-queues": create_queues,
    "drain": drain,
    "sqs-event": sqs_event,
    "check-response": check_response,
    "check-envelopes": check_envelopes,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
