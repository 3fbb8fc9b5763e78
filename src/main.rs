fn main() {
    println!("rolefit {}", env!("CARGO_PKG_VERSION"));
}
