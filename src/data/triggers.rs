//! Which writes feed which triggers: the IAM actions that, performed on a resource, deliver an
//! event to every function that resource triggers. The trigger graph (`analysis::triggers`)
//! reads this table; `recursive-invocation` and `rolefit graph` both use that graph.
//!
//! Only writes that reach the trigger whatever their content are listed, since only those make
//! a definite loop. Left out on purpose: `events:PutEvents` (a rule's event pattern decides
//! whether an event reaches its target), `logs:PutLogEvents` (a subscription filter's pattern
//! decides), `s3:DeleteObject` (it feeds `s3:ObjectRemoved:*` notifications only, and which
//! event types a notification asks for is not read yet).

/// What a trigger listens to: the kind of resource whose writes invoke the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// A bucket notification (`s3:ObjectCreated:*`), narrowed by key prefix and suffix.
    S3Notification,
    /// A queue read by an event source mapping.
    SqsQueue,
    /// A topic with a `lambda` subscription.
    SnsTopic,
    /// A Kinesis data stream read by an event source mapping.
    KinesisStream,
    /// A table's DynamoDB stream read by an event source mapping.
    DynamoDbStream,
    /// The function itself, invoked through its ARN.
    Invoke,
}

/// One write and the channel it feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feed {
    pub action: &'static str,
    pub channel: Channel,
}

const fn feed(action: &'static str, channel: Channel) -> Feed {
    Feed { action, channel }
}

/// Every write that feeds a trigger, with the documentation that says so.
pub const FEEDS: &[Feed] = &[
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
    // "Supported event types": s3:ObjectCreated:Put, Post, Copy and CompleteMultipartUpload,
    // which are all authorized by s3:PutObject.
    feed("s3:PutObject", Channel::S3Notification),
    // https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
    // "Using Lambda with Amazon SQS" (SendMessageBatch is authorized by sqs:SendMessage).
    feed("sqs:SendMessage", Channel::SqsQueue),
    // https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
    // "Invoking Lambda functions with Amazon SNS notifications".
    feed("sns:Publish", Channel::SnsTopic),
    // https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
    // "Using Lambda with Kinesis Data Streams": records put on the stream.
    feed("kinesis:PutRecord", Channel::KinesisStream),
    feed("kinesis:PutRecords", Channel::KinesisStream),
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
    // "Change data capture for DynamoDB Streams": every item-level modification is a record.
    feed("dynamodb:PutItem", Channel::DynamoDbStream),
    feed("dynamodb:UpdateItem", Channel::DynamoDbStream),
    feed("dynamodb:DeleteItem", Channel::DynamoDbStream),
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
    // "BatchWriteItem": puts and deletes items, each recorded on the stream.
    feed("dynamodb:BatchWriteItem", Channel::DynamoDbStream),
    // https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html "Invoke".
    feed("lambda:InvokeFunction", Channel::Invoke),
    // https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html "InvokeAsync"
    // (deprecated, still authorized by its own action).
    feed("lambda:InvokeAsync", Channel::Invoke),
];

/// The channel a write feeds, if it feeds one.
pub fn fed_by(action: &str) -> Option<Channel> {
    FEEDS.iter().find(|f| f.action == action).map(|f| f.channel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_is_a_known_action_listed_once() {
        let catalog = crate::data::catalog();
        let mut seen = std::collections::BTreeSet::new();
        for f in FEEDS {
            assert!(seen.insert(f.action), "{} listed twice", f.action);
            assert!(catalog.action(f.action).is_some(), "{} unknown", f.action);
        }
        assert_eq!(fed_by("sqs:SendMessage"), Some(Channel::SqsQueue));
        assert_eq!(fed_by("sqs:ReceiveMessage"), None);
    }
}
