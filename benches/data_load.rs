//! Start-up cost of the embedded AWS data: decodes and parses each dataset once (the way the
//! first lookup does) and prints the milliseconds. Run with `cargo bench --bench data_load`.

use std::collections::BTreeMap;
use std::time::Instant;

use rolefit::data;
use rolefit::model::SdkKind;

fn time<T>(label: &str, f: impl FnOnce() -> T) -> f64 {
    let start = Instant::now();
    std::hint::black_box(f());
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!("{label:<28} {ms:>8.2} ms");
    ms
}

fn main() {
    let mut total = 0.0;
    total += time("catalog", data::catalog);
    total += time("sdk + overrides + boto3", data::sdk);
    total += time("managed policies + SAM ARNs", || {
        data::managed_policy("AWSLambdaBasicExecutionRole")
    });
    total += time("SAM policy templates", || {
        data::sam_template("DynamoDBCrudPolicy")
    });
    total += time("lambda table", data::lambda);
    println!("{:<28} {total:>8.2} ms", "total");

    // Deferred work: a managed-policy document is decompressed (its 256 KB chunk) and parsed
    // on first use; an audit reads a handful.
    time("1 managed document (first)", || {
        data::managed_policy("AWSLambdaBasicExecutionRole").map(|p| p.document().clone())
    });
    time("all 1,594 documents", || {
        data::managed_policy_names()
            .filter_map(data::managed_policy)
            .map(|p| p.document().as_object().map_or(0, |o| o.len()))
            .sum::<usize>()
    });

    let lookups = time("10k resolve (warm)", || {
        let idx = data::sdk();
        (0..10_000)
            .filter(|_| {
                idx.resolve(SdkKind::Python, "s3", "list_objects_v2")
                    .is_some()
            })
            .count()
    });
    let _ = lookups;
    time("sam_expand (warm)", || {
        let params = BTreeMap::from([("TableName".to_owned(), "T".to_owned())]);
        data::sam_expand("DynamoDBCrudPolicy", &params)
    });
    for (name, bytes) in data::embedded_sizes() {
        println!("{name:<28} {:>8.1} KB embedded", bytes as f64 / 1024.0);
    }
    let sum: usize = data::embedded_sizes().iter().map(|(_, n)| n).sum();
    println!(
        "{:<28} {:>8.1} KB embedded",
        "embedded total",
        sum as f64 / 1024.0
    );
}
