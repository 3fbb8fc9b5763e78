#!/usr/bin/env python3
"""Writes a synthetic monorepo of N Lambda functions for scripts/bench.

Usage: gen-monorepo.py N OUT_DIR

Services of 10 functions each, mixed by format: 80% SAM (each service's functions share one
`AWS::IAM::Role`, half use `Policies`), 10% Terraform, 10% Serverless Framework. Code is
Python (boto3) and JavaScript (SDK v3), each handler importing a shared local module. The
output depends only on N, so two runs write identical trees.
"""

import os
import sys

PER_SERVICE = 10

PY_HANDLER = """import os
import boto3

from common import util

TABLE = os.environ["TABLE_NAME"]
dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def handler(event, context):
    table = dynamodb.Table(TABLE)
    item = table.get_item(Key={{"id": event["id"]}})
    table.put_item(Item=util.stamp(item, {n}))
    s3.put_object(Bucket=os.environ["BUCKET"], Key="out/{n}.json", Body=b"{{}}")
    if event.get("notify"):
        sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="done")
    return {{"statusCode": 200}}
"""

PY_UTIL = """import time


def stamp(item, n):
    item = dict(item or {})
    item["stamped"] = int(time.time()) + n
    return item
"""

JS_HANDLER = """import {{ DynamoDBClient, GetItemCommand }} from "@aws-sdk/client-dynamodb";
import {{ S3Client, GetObjectCommand }} from "@aws-sdk/client-s3";
import {{ stamp }} from "./lib/util.mjs";

const ddb = new DynamoDBClient({{}});
const s3 = new S3Client({{}});

export const handler = async (event) => {{
  const item = await ddb.send(new GetItemCommand({{ TableName: process.env.TABLE_NAME, Key: {{ id: {{ S: event.id }} }} }}));
  await s3.send(new GetObjectCommand({{ Bucket: process.env.BUCKET, Key: "in/{n}.json" }}));
  return stamp(item, {n});
}};
"""

JS_UTIL = """export function stamp(item, n) {
  return { ...item, stamped: Date.now() + n };
}
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def code(base, n, python):
    """Writes one function's code under base/; returns (runtime, handler)."""
    if python:
        write(f"{base}/app.py", PY_HANDLER.format(n=n))
        write(f"{base}/common/__init__.py", "")
        write(f"{base}/common/util.py", PY_UTIL)
        return "python3.12", "app.handler"
    write(f"{base}/index.mjs", JS_HANDLER.format(n=n))
    write(f"{base}/lib/util.mjs", JS_UTIL)
    return "nodejs20.x", "index.handler"


def sam_service(root, s, first, count):
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        f"Description: synthetic service {s}",
        "Resources:",
        "  Table:",
        "    Type: AWS::DynamoDB::Table",
        "    Properties:",
        "      BillingMode: PAY_PER_REQUEST",
        "  Bucket:",
        "    Type: AWS::S3::Bucket",
        "  Queue:",
        "    Type: AWS::SQS::Queue",
        "  SharedRole:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      AssumeRolePolicyDocument:",
        '        Version: "2012-10-17"',
        "        Statement:",
        "          - Effect: Allow",
        "            Principal: { Service: lambda.amazonaws.com }",
        "            Action: sts:AssumeRole",
        "      Policies:",
        "        - PolicyName: data",
        "          PolicyDocument:",
        "            Statement:",
        "              - Effect: Allow",
        "                Action: [dynamodb:GetItem, dynamodb:PutItem]",
        "                Resource: !GetAtt Table.Arn",
        "              - Effect: Allow",
        "                Action: s3:*",
        '                Resource: "*"',
    ]
    for i in range(count):
        n = first + i
        python = n % 2 == 0
        runtime, handler = code(f"{root}/src/f{i}", n, python)
        lines += [
            f"  Fn{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      CodeUri: src/f{i}/",
            f"      Handler: {handler}",
            f"      Runtime: {runtime}",
            "      Environment:",
            "        Variables:",
            "          TABLE_NAME: !Ref Table",
            "          BUCKET: !Ref Bucket",
            "          QUEUE_URL: !Ref Queue",
        ]
        if i % 2 == 0:
            lines += ["      Role: !GetAtt SharedRole.Arn"]
        else:
            lines += [
                "      Policies:",
                "        - DynamoDBCrudPolicy:",
                "            TableName: !Ref Table",
                "        - S3ReadPolicy:",
                "            BucketName: !Ref Bucket",
            ]
        if i % 3 == 0:
            lines += [
                "      Events:",
                "        Work:",
                "          Type: SQS",
                "          Properties:",
                "            Queue: !GetAtt Queue.Arn",
            ]
    write(f"{root}/template.yaml", "\n".join(lines) + "\n")


def terraform_service(root, s, first, count):
    blocks = [
        f'resource "aws_dynamodb_table" "table" {{\n  name = "svc{s}"\n  hash_key = "id"\n}}\n',
        'data "aws_iam_policy_document" "assume" {\n  statement {\n'
        '    actions = ["sts:AssumeRole"]\n    principals {\n      type = "Service"\n'
        '      identifiers = ["lambda.amazonaws.com"]\n    }\n  }\n}\n',
        f'resource "aws_iam_role" "shared" {{\n  name = "svc{s}"\n'
        "  assume_role_policy = data.aws_iam_policy_document.assume.json\n}\n",
        'resource "aws_iam_role_policy" "data" {\n  role = aws_iam_role.shared.id\n'
        '  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n'
        '      Effect = "Allow"\n      Action = ["dynamodb:GetItem", "dynamodb:PutItem"]\n'
        "      Resource = aws_dynamodb_table.table.arn\n    }]\n  })\n}\n",
    ]
    for i in range(count):
        n = first + i
        runtime, handler = code(f"{root}/src/f{i}", n, n % 2 == 0)
        blocks.append(
            f'resource "aws_lambda_function" "f{i}" {{\n  function_name = "svc{s}-f{i}"\n'
            f'  filename = "build/f{i}.zip"\n  source_dir = "${{path.module}}/src/f{i}"\n'
            f'  handler = "{handler}"\n  runtime = "{runtime}"\n'
            "  role = aws_iam_role.shared.arn\n  environment {\n    variables = {\n"
            "      TABLE_NAME = aws_dynamodb_table.table.name\n    }\n  }\n}\n"
        )
    write(f"{root}/main.tf", "\n".join(blocks))


def serverless_service(root, s, first, count):
    lines = [
        f"service: svc{s}",
        "provider:",
        "  name: aws",
        "  runtime: python3.12",
        "  environment:",
        "    TABLE_NAME: !Ref Table",
        "  iam:",
        "    role:",
        "      statements:",
        "        - Effect: Allow",
        "          Action: [dynamodb:GetItem, dynamodb:PutItem]",
        "          Resource: !GetAtt Table.Arn",
        "functions:",
    ]
    for i in range(count):
        n = first + i
        runtime, handler = code(f"{root}/src/f{i}", n, n % 2 == 0)
        module = handler.split(".")[0]
        lines += [
            f"  f{i}:",
            f"    handler: src/f{i}/{module}.handler",
            f"    runtime: {runtime}",
            "    events:",
            "      - sqs:",
            "          arn: !GetAtt Queue.Arn",
        ]
    lines += [
        "resources:",
        "  Resources:",
        "    Table:",
        "      Type: AWS::DynamoDB::Table",
        "    Queue:",
        "      Type: AWS::SQS::Queue",
    ]
    write(f"{root}/serverless.yml", "\n".join(lines) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    total, out = int(sys.argv[1]), sys.argv[2]
    services = (total + PER_SERVICE - 1) // PER_SERVICE
    counts = {"sam": 0, "terraform": 0, "serverless": 0}
    for s in range(services):
        first = s * PER_SERVICE
        count = min(PER_SERVICE, total - first)
        kind = {8: "terraform", 9: "serverless"}.get(s % 10, "sam")
        root = f"{out}/services/{kind}-{s:05d}"
        {"sam": sam_service, "terraform": terraform_service, "serverless": serverless_service}[
            kind
        ](root, s, first, count)
        counts[kind] += count
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
