//! The bulk event loop driven from the library, against the in-process bulk
//! registrar: how often the loop wakes up while it paces, and how it carries out
//! the endpoint's failover and redirect outputs.
//!
//! At 1000 transactions a second or more the loop runs on a 1 ms tick and reads the
//! sockets once per tick; below that it waits for each datagram or deadline. Both
//! must register every AOR; the first must wake far less often than once per
//! response.

mod scripted;

use scripted::bulk_registrar::{BulkRegistrar, Delivery};
use scripted::{respond, Req};
use sipreg::bulk::{Engine, Member, Mode, Observer, Plan};
use sipreg::core::Timers;
use sipreg::net::carriers::{self as sockets, Carriers};

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
    let carriers = Carriers::Udp(sockets::bind(1, &[], reg.addr).await.unwrap());
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
        ramp: None,
        concurrency: count as u32,
        timers: Timers::default(),
        expires: 3600,
        user_agent: "sipreg-test".into(),
        headers: Vec::new(),
        display_name: None,
        keepalive: None,
        answer: None,
        probe: false,
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

/// Runs `count` AORs once against `first`, with `routes` as their targets when given.
async fn register_with_routes(
    first: std::net::SocketAddr,
    count: usize,
    routes: Option<Vec<sipreg::net::Target>>,
) -> sipreg::bulk::Tally {
    let carriers = Carriers::Udp(sockets::bind(1, &[], first).await.unwrap());
    let members: Vec<Member> = (0..count)
        .map(|i| Member {
            aor: format!("sip:move{i:03}@sipreg.test").parse().unwrap(),
            user: format!("move{i:03}"),
            password: None,
            contact: None,
        })
        .collect();
    let plan = Plan {
        mode: Mode::RegisterOnce,
        rate: 1000.0,
        ramp: None,
        concurrency: count as u32,
        timers: Timers::default(),
        expires: 3600,
        user_agent: "sipreg-test".into(),
        headers: Vec::new(),
        display_name: None,
        keepalive: None,
        answer: None,
        probe: false,
    };
    let destinations = vec![first; count];
    let mut engine = Engine::new(plan, members, &destinations, carriers, Box::new(Quiet));
    if let Some(list) = routes {
        engine.set_routes(sipreg::net::Routes::new(vec![list], vec![0; count]));
    }
    engine.run().await;
    engine.tally()
}

fn udp_target(addr: std::net::SocketAddr) -> sipreg::net::Target {
    sipreg::net::Target {
        addr,
        transport: sipreg::core::TransportKind::Udp,
        host: sipreg::sip::Host::from(addr.ip()),
    }
}

#[tokio::test]
async fn a_503_from_the_first_target_moves_every_aor_to_the_next() {
    let overloaded = BulkRegistrar::start(
        Box::new(|req: &Req| vec![respond(req, 503, "Service Unavailable", &[])]),
        Delivery::default(),
    );
    let spare = accepting_registrar();
    let routes = vec![udp_target(overloaded.addr), udp_target(spare.addr)];
    let tally = register_with_routes(overloaded.addr, 20, Some(routes)).await;
    assert_eq!(tally.succeeded, 20, "{tally:?}");
    assert_eq!(overloaded.requests().len(), 20);
    let at_spare = spare.requests();
    assert_eq!(at_spare.len(), 20);
    // The same registration went on: same Call-ID, a higher CSeq.
    let first = &overloaded.requests()[0];
    let moved = at_spare
        .iter()
        .find(|r| r.call_id() == first.call_id())
        .expect("the first AOR reached the spare");
    assert!(moved.cseq() > first.cseq());
}

#[tokio::test]
async fn without_another_target_a_503_fails_the_aor() {
    let overloaded = BulkRegistrar::start(
        Box::new(|req: &Req| vec![respond(req, 503, "Service Unavailable", &[])]),
        Delivery::default(),
    );
    let tally = register_with_routes(overloaded.addr, 5, None).await;
    assert_eq!((tally.succeeded, tally.failed), (0, 5));
}

#[tokio::test]
async fn a_302_is_followed_to_the_registrar_it_names() {
    let real = accepting_registrar();
    let target = format!("sip:127.0.0.1:{}", real.addr.port());
    let redirecting = BulkRegistrar::start(
        Box::new(move |req: &Req| {
            vec![respond(
                req,
                302,
                "Moved Temporarily",
                &[format!("Contact: <{target}>")],
            )]
        }),
        Delivery::default(),
    );
    let tally = register_with_routes(redirecting.addr, 10, None).await;
    assert_eq!(tally.succeeded, 10, "{tally:?}");
    assert_eq!(redirecting.requests().len(), 10);
    assert_eq!(real.requests().len(), 10);
    // Request-URI: the new registrar's domain (RFC 3261 §10.2.4 / §8.1.3.4).
    assert!(
        real.requests()[0]
            .start
            .starts_with("REGISTER sip:127.0.0.1"),
        "{}",
        real.requests()[0].start
    );
}
