//! A work budget for evaluations whose output can grow exponentially with their input
//! (variables or locals that each use the previous one several times, files that include
//! themselves): callers charge units of work and stop when it is spent.

use std::cell::Cell;

/// Units of work left; single-threaded, like the evaluators that own it.
pub struct Budget {
    left: Cell<u64>,
}

impl Budget {
    pub fn new(units: u64) -> Budget {
        Budget {
            left: Cell::new(units),
        }
    }

    /// Charges `units`; `false` once the budget is spent. `on_spent` runs exactly once, on
    /// the charge that spends it, so the caller reports the problem where it happened.
    pub fn charge(&self, units: u64, on_spent: impl FnOnce()) -> bool {
        let left = self.left.get();
        if left == 0 {
            return false;
        }
        if units >= left {
            self.left.set(0);
            on_spent();
            return false;
        }
        self.left.set(left - units);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_once_and_stays_spent() {
        let b = Budget::new(10);
        let spent = Cell::new(0);
        let charge = |n| b.charge(n, || spent.set(spent.get() + 1));
        assert!(charge(4) && charge(5));
        assert!(!charge(1));
        assert!(!charge(1) && !charge(0));
        assert_eq!(spent.get(), 1);
    }
}
