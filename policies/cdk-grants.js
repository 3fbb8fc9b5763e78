// Extracts what each `grant*` method of the common aws-cdk-lib constructs grants, by calling it:
// for every construct below and every `grant*` method on its prototype chain that takes only a
// grantee, a fresh stack gets the construct and an IAM role, the method is called with the
// role, the stack is synthesized, and the actions of the statements added to the role's
// policies are recorded (as CDK writes them, in order), with the CloudFormation type of the
// construct. Run by `policies/regen-cdk` with the pinned aws-cdk-lib installed; prints JSON.
// Every method is called with the grantee alone (further parameters left to their defaults);
// the generic `grant(grantee, ...actions)`, methods that throw without more arguments and
// methods that add nothing to the role (a resource policy grant) are left out (listed under
// `skipped`).
"use strict";

const cdk = require("aws-cdk-lib");
const iam = require("aws-cdk-lib/aws-iam");

// [module, class, CloudFormation type, props(stack) for a construct with every grant usable].
const CONSTRUCTS = [
  ["aws-dynamodb", "Table", "AWS::DynamoDB::Table", (m) => ({
    partitionKey: { name: "pk", type: m.AttributeType.STRING },
    stream: m.StreamViewType.NEW_AND_OLD_IMAGES,
  })],
  ["aws-dynamodb", "TableV2", "AWS::DynamoDB::GlobalTable", (m) => ({
    partitionKey: { name: "pk", type: m.AttributeType.STRING },
    dynamoStream: m.StreamViewType.NEW_AND_OLD_IMAGES,
  })],
  ["aws-s3", "Bucket", "AWS::S3::Bucket", () => ({})],
  ["aws-sqs", "Queue", "AWS::SQS::Queue", () => ({})],
  ["aws-sns", "Topic", "AWS::SNS::Topic", () => ({})],
  ["aws-kinesis", "Stream", "AWS::Kinesis::Stream", () => ({})],
  ["aws-secretsmanager", "Secret", "AWS::SecretsManager::Secret", () => ({})],
  ["aws-kms", "Key", "AWS::KMS::Key", () => ({})],
  ["aws-lambda", "Function", "AWS::Lambda::Function", (m) => ({
    runtime: m.Runtime.PYTHON_3_12,
    handler: "index.handler",
    code: m.Code.fromInline("def handler(e, c): pass"),
  })],
  ["aws-ssm", "StringParameter", "AWS::SSM::Parameter", () => ({ stringValue: "v" })],
  ["aws-events", "EventBus", "AWS::Events::EventBus", () => ({})],
  ["aws-stepfunctions", "StateMachine", "AWS::StepFunctions::StateMachine", (m, stack) => ({
    definitionBody: m.DefinitionBody.fromChainable(new m.Pass(stack, "P")),
  })],
  ["aws-logs", "LogGroup", "AWS::Logs::LogGroup", () => ({})],
  ["aws-ecr", "Repository", "AWS::ECR::Repository", () => ({})],
];

function grantMethods(cls) {
  const names = new Set();
  for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (/^grant[A-Z]/.test(n) && d && typeof d.value === "function" && n !== "grantOnKey") {
        names.add(n);
      }
    }
  }
  return [...names].sort();
}

function actionsOf(template, roleId) {
  const out = [];
  for (const r of Object.values(template.Resources || {})) {
    if (r.Type !== "AWS::IAM::Policy") continue;
    const roles = (r.Properties.Roles || []).map((x) => x.Ref);
    if (!roles.includes(roleId)) continue;
    for (const st of r.Properties.PolicyDocument.Statement) {
      const a = Array.isArray(st.Action) ? st.Action : [st.Action];
      out.push(a);
    }
  }
  return out;
}

const result = { grants: {}, skipped: {} };
for (const [mod, name, type, props] of CONSTRUCTS) {
  const m = require("aws-cdk-lib/" + mod);
  const cls = m[name];
  const key = mod.replace(/-/g, "_") + "." + name;
  const entry = { type, methods: {} };
  for (const method of grantMethods(cls)) {
    // The generic `grant(grantee, ...actions)` grants what it is given.
    if (method === "grant") {
      (result.skipped[key] = result.skipped[key] || []).push(method);
      continue;
    }
    try {
      const app = new cdk.App();
      const stack = new cdk.Stack(app, "S", { env: { account: "111111111111", region: "us-east-1" } });
      const construct = new cls(stack, "C", props(m, stack));
      const role = new iam.Role(stack, "R", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
      construct[method](role);
      const template = app.synth().getStackByName("S").template;
      const roleId = Object.keys(template.Resources).find((k) => template.Resources[k].Type === "AWS::IAM::Role" && k.startsWith("R"));
      const statements = actionsOf(template, roleId);
      if (statements.length === 0) {
        (result.skipped[key] = result.skipped[key] || []).push(method);
        continue;
      }
      entry.methods[method] = { actions: [...new Set(statements.flat())].sort() };
    } catch (e) {
      (result.skipped[key] = result.skipped[key] || []).push(method);
    }
  }
  result.grants[key] = entry;
}
for (const k of Object.keys(result.skipped)) result.skipped[k].sort();
process.stdout.write(JSON.stringify(result));
