"""Fills a running S3-compatible store (moto's server) through boto3, the AWS SDK.

Usage: s3_store.py ENDPOINT PLAN.json -> prints {"name": "url", ...} as JSON.

The plan is a list of steps, each one S3 call as a release pipeline makes it:
  {"bucket": NAME, "public": true}       create a bucket (public-read when asked)
  {"put": BUCKET, "key": K, "file": PATH, "content_type": ..., "content_disposition": ...,
   "content_encoding": ..., "public": true, "gzip": true}       upload an object
                                         (its bytes gzip-compressed first when `gzip` is set)
  {"presign": BUCKET, "key": K, "name": N, "expires": SECONDS, "disposition": ...}
                                         a presigned GET URL, under N in the output
                                         (`disposition` becomes response-content-disposition)
  {"url": BUCKET, "key": K, "name": N}   the object's plain (public) URL, under N
"""

import gzip
import json
import sys

import boto3
from botocore.client import Config


def main() -> None:
    endpoint, plan_path = sys.argv[1], sys.argv[2]
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="plume-test-key",
        aws_secret_access_key="plume-test-secret",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    out = {}
    for step in plan:
        if "bucket" in step and "put" not in step:
            s3.create_bucket(Bucket=step["bucket"])
            if step.get("public"):
                s3.put_bucket_acl(Bucket=step["bucket"], ACL="public-read")
        elif "put" in step:
            extra = {}
            for field, arg in (
                ("content_type", "ContentType"),
                ("content_disposition", "ContentDisposition"),
                ("content_encoding", "ContentEncoding"),
            ):
                if step.get(field):
                    extra[arg] = step[field]
            if step.get("public"):
                extra["ACL"] = "public-read"
            with open(step["file"], "rb") as body:
                data = body.read()
            if step.get("gzip"):
                data = gzip.compress(data)
            s3.put_object(Bucket=step["put"], Key=step["key"], Body=data, **extra)
        elif "presign" in step:
            params = {"Bucket": step["presign"], "Key": step["key"]}
            if step.get("disposition"):
                params["ResponseContentDisposition"] = step["disposition"]
            out[step["name"]] = s3.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=step.get("expires", 900)
            )
        elif "url" in step:
            out[step["name"]] = f"{endpoint}/{step['url']}/{step['key']}"
        else:
            raise SystemExit(f"unknown plan step {step!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
