//! `--ramp A..B/s over T`: the rate of new transactions goes linearly from A to B
//! per second over T, then stays at B.
//!
//! The schedule is exact rather than stepped: the rate at time t (seconds since the
//! first start) is r(t) = A + (B−A)·t/T, so the number of starts due by t is its
//! integral S(t) = A·t + (B−A)·t²/(2T), and after T it is S(T) + B·(t−T). Start number
//! k (counting from 0) is due when S(t) reaches k: the first at t = 0 whatever A is
//! (a ramp from 0 would otherwise never begin), the next ones where the quadratic
//! says. Inverting S rather than stepping the rate keeps the count of starts in any
//! interval within one of the integral, at any rate.

use std::time::Duration;
use thiserror::Error;

/// A linear ramp of the start rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    /// Starts per second at the beginning (0 or more).
    from: f64,
    /// Starts per second at the end, and from then on (more than 0).
    to: f64,
    /// How long the rate takes from `from` to `to`.
    over: Duration,
}

/// Why figures make no ramp.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RampError {
    #[error("the start rate must be a number of 0 or more per second")]
    From,
    #[error("the end rate must be a number above 0 per second (it is the rate after the ramp)")]
    To,
    #[error("the ramp must last longer than 0 s")]
    Over,
}

impl Ramp {
    pub fn new(from: f64, to: f64, over: Duration) -> Result<Ramp, RampError> {
        if !(from.is_finite() && from >= 0.0) {
            return Err(RampError::From);
        }
        if !(to.is_finite() && to > 0.0) {
            return Err(RampError::To);
        }
        if over.is_zero() {
            return Err(RampError::Over);
        }
        Ok(Ramp { from, to, over })
    }

    pub fn from(&self) -> f64 {
        self.from
    }

    /// The rate after the ramp.
    pub fn to(&self) -> f64 {
        self.to
    }

    pub fn over(&self) -> Duration {
        self.over
    }

    /// Half the rate's slope: S(t) = from·t + c·t² during the ramp.
    fn c(&self) -> f64 {
        (self.to - self.from) / (2.0 * self.over.as_secs_f64())
    }

    /// Starts due during the whole ramp.
    fn during(&self) -> f64 {
        (self.from + self.to) / 2.0 * self.over.as_secs_f64()
    }

    /// S(t): how many starts are due `t` seconds after the first (not counting it).
    pub fn starts_by(&self, t: f64) -> f64 {
        let t = t.max(0.0);
        let over = self.over.as_secs_f64();
        if t <= over {
            self.from * t + self.c() * t * t
        } else {
            self.during() + self.to * (t - over)
        }
    }

    /// The inverse of `starts_by`: seconds after the first start at which start
    /// number `k` is due (k may be fractional; k ≤ 0 is the first).
    pub fn time_of(&self, k: f64) -> f64 {
        if k <= 0.0 {
            return 0.0;
        }
        let during = self.during();
        if k > during {
            return self.over.as_secs_f64() + (k - during) / self.to;
        }
        // The root of c·t² + from·t − k = 0 in [0, over], written so that it neither
        // divides by c (zero for a flat ramp) nor loses digits when from² ≫ 4ck. Within
        // the ramp the discriminant is at least from² (rising) or to² (falling): the
        // square root is real, and the denominator is 0 only when from = 0 and k = 0.
        let discriminant = (self.from * self.from + 4.0 * self.c() * k).max(0.0);
        2.0 * k / (self.from + discriminant.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(from: u32, to: u32, secs: u64) -> Ramp {
        Ramp::new(from.into(), to.into(), Duration::from_secs(secs)).unwrap()
    }

    #[test]
    fn refuses_figures_that_make_no_ramp() {
        let ten = Duration::from_secs(10);
        assert_eq!(Ramp::new(-1.0, 10.0, ten), Err(RampError::From));
        assert_eq!(Ramp::new(f64::NAN, 10.0, ten), Err(RampError::From));
        assert_eq!(Ramp::new(0.0, 0.0, ten), Err(RampError::To));
        assert_eq!(Ramp::new(0.0, f64::INFINITY, ten), Err(RampError::To));
        assert_eq!(Ramp::new(0.0, 10.0, Duration::ZERO), Err(RampError::Over));
    }

    #[test]
    fn the_integral_of_a_ramp_from_zero() {
        let r = ramp(0, 1000, 10);
        // 1000/s after 10 s: 50·t² starts by t, 5000 in all, then 1000 a second.
        assert_eq!(r.starts_by(1.0), 50.0);
        assert_eq!(r.starts_by(10.0), 5000.0);
        assert_eq!(r.starts_by(12.0), 7000.0);
        assert_eq!(r.time_of(0.0), 0.0);
        assert!((r.time_of(50.0) - 1.0).abs() < 1e-12);
        assert!((r.time_of(5000.0) - 10.0).abs() < 1e-12);
        assert!((r.time_of(7000.0) - 12.0).abs() < 1e-12);
    }

    #[test]
    fn time_of_inverts_starts_by_whichever_way_the_ramp_goes() {
        for r in [
            ramp(0, 1000, 10),
            ramp(100, 2000, 120),
            ramp(500, 500, 5),
            ramp(2000, 10, 30),
        ] {
            for k in [0.5, 1.0, 7.0, 100.0, 1234.5, 50_000.0] {
                let t = r.time_of(k);
                let back = r.starts_by(t);
                assert!(
                    (back - k).abs() < 1e-6 * k.max(1.0),
                    "{r:?} k={k} t={t} back={back}"
                );
            }
        }
    }

    #[test]
    fn a_flat_ramp_is_an_even_rate() {
        let r = ramp(200, 200, 10);
        assert!((r.time_of(1.0) - 0.005).abs() < 1e-12);
        assert!((r.time_of(3000.0) - 15.0).abs() < 1e-12);
    }
}
