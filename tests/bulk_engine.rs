//! The bulk event loop driven from the library, against the in-process bulk
//! registrar: how often the loop wakes up while it paces.
//!
//! At 1000 transactions a second or more the loop runs on a 1 ms tick and reads the
//! sockets once per tick; below that it waits for each datagram or deadline. Both
//! must register every AOR; the first must wake far less often than once per
//! response.

mod scripted;

use scripted::bulk_registrar::{BulkRegistrar, Delivery};
use scripted::{respond, Req};
use sipreg::bulk::sockets::{self, Carriers};
use sipreg::bulk::{Engine, Member, Mode, Observer, Plan};
use sipreg::core::Timers;

struct Quiet;
impl Observer for Quiet {}

/// A registrar that binds every REGISTER's Contact for an hour at once.
fn accepting_registrar() -> BulkRegistrar {
    BulkRegistrar::start(
        Box::new(|req: &Req| {
            let contact = req.contact_uri().unwrap_or_default();
            vec![respond(
                req,
                200,
                "OK",
                &[format!("Contact: <{contact}>;expires=3600")],
            )]
        }),
        Delivery::default(),
    )
}

/// Registers `count` AORs once at `rate`; returns how many succeeded, how often the
/// loop woke up and how many whole milliseconds the run took.
async fn register(reg: &BulkRegistrar, count: usize, rate: f64) -> (u64, u64, u64) {
    let carriers = Carriers::Udp(sockets::bind(1, None, reg.addr).await.unwrap());
    let members: Vec<Member> = (0..count)
        .map(|i| Member {
            aor: format!("sip:loop{i:04}@sipreg.test").parse().unwrap(),
            user: format!("loop{i:04}"),
            password: None,
            contact: None,
        })
        .collect();
    let plan = Plan {
        mode: Mode::RegisterOnce,
        rate,
        concurrency: count as u32,
        timers: Timers::default(),
        expires: 3600,
        user_agent: "sipreg-test".into(),
    };
    let destinations = vec![reg.addr; count];
    let mut engine = Engine::new(plan, members, &destinations, carriers, Box::new(Quiet));
    let started = std::time::Instant::now();
    engine.run().await;
    let ms = started.elapsed().as_millis() as u64;
    (engine.tally().succeeded, engine.wakeups(), ms)
}

#[tokio::test]
async fn at_a_high_rate_the_loop_wakes_once_a_tick_not_once_a_response() {
    let reg = accepting_registrar();
    // 1000 AORs at 10000/s: some 100 ticks of 1 ms. Waking for the responses and
    // the starts takes three to four times as many wake-ups (measured: 364 to 449).
    let (succeeded, wakeups, ms) = register(&reg, 1000, 10000.0).await;
    assert_eq!(succeeded, 1000);
    assert_eq!(reg.requests().len(), 1000, "no retransmissions");
    // One per tick, and a few for the last responses after the last start.
    assert!(wakeups <= ms + 10, "{wakeups} wake-ups in {ms} ms");
}

#[tokio::test]
async fn below_1000_a_second_the_loop_waits_for_each_response() {
    let reg = accepting_registrar();
    let (succeeded, wakeups, _) = register(&reg, 40, 500.0).await;
    assert_eq!(succeeded, 40);
    assert_eq!(reg.requests().len(), 40, "no retransmissions");
    // A start every 2 ms, each answered long before the next: a wake-up for each
    // start and each response.
    assert!(wakeups >= 40, "{wakeups} wake-ups for 40 AORs");
}
