//! Where new stake goes: an even split over the targets, with the module's stake at any one
//! validator capped at `max(total × max_validator_share_bps / 10,000, ⌈total / n⌉)` — the
//! even split is always allowed, so with fewer than `10,000 / max_validator_share_bps`
//! targets the cap is the even split. What does not fit (rounding, or stake held at validators
//! outside the targets) goes to the targets with room, in operator order; what still does not
//! fit stays in the module account for the next epoch.

use rampart_core::error::AppResult;
use rampart_core::math::mul_div;
use rampart_core::{Address, Amount};

/// Splits `amount` over `targets` — `(operator, the module's current stake there)` in operator
/// order — when the module's whole stake becomes `total_after`. Returns the positive parts, in
/// operator order, and what was not placed.
pub fn split(
    amount: Amount,
    targets: &[(Address, Amount)],
    total_after: Amount,
    max_share_bps: u32,
) -> AppResult<(Vec<(Address, Amount)>, Amount)> {
    if targets.is_empty() || amount.is_zero() {
        return Ok((Vec::new(), amount));
    }
    // At most `max_validators` targets: the count fits a u128.
    let n = targets.len() as u128;
    let share_cap = mul_div(total_after.0, u128::from(max_share_bps), 10_000, false)?;
    let cap = share_cap.max(total_after.0.div_ceil(n));
    let mut room: Vec<u128> = targets
        .iter()
        .map(|(_, held)| cap.saturating_sub(held.0))
        .collect();
    let mut parts = vec![0u128; targets.len()];
    let mut left = amount.0;
    let even = amount.0 / n;
    for (part, room) in parts.iter_mut().zip(room.iter_mut()) {
        let give = even.min(*room);
        *part = give;
        *room -= give;
        left -= give;
    }
    for (part, room) in parts.iter_mut().zip(room.iter_mut()) {
        let give = left.min(*room);
        *part += give;
        *room -= give;
        left -= give;
    }
    let out = targets
        .iter()
        .zip(parts)
        .filter(|(_, part)| *part > 0)
        .map(|((op, _), part)| (*op, Amount(part)))
        .collect();
    Ok((out, Amount(left)))
}

/// Splits `amount` over `stakes` — `(operator, stake)` — in proportion to the stakes, rounded
/// down, the remainder taken one token at a time from the validators with stake left in
/// operator order; no part exceeds its stake. `amount` must not exceed Σ stakes.
pub fn pro_rata(amount: Amount, stakes: &[(Address, Amount)]) -> AppResult<Vec<(Address, Amount)>> {
    let total = stakes
        .iter()
        .try_fold(Amount::ZERO, |acc, (_, s)| acc.checked_add(*s))?;
    if total.is_zero() {
        return Ok(Vec::new());
    }
    let mut parts = Vec::with_capacity(stakes.len());
    let mut placed = 0u128;
    for (_, stake) in stakes {
        let part = mul_div(amount.0, stake.0, total.0, false)?;
        placed += part;
        parts.push(part);
    }
    let mut left = amount.0.saturating_sub(placed);
    for (part, (_, stake)) in parts.iter_mut().zip(stakes) {
        let give = left.min(stake.0.saturating_sub(*part));
        *part += give;
        left -= give;
    }
    Ok(stakes
        .iter()
        .zip(parts)
        .filter(|(_, part)| *part > 0)
        .map(|((op, _), part)| (*op, Amount(part)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(held: &[u128]) -> Vec<(Address, Amount)> {
        held.iter()
            .enumerate()
            .map(|(i, h)| (Address([i as u8 + 1; 20]), Amount(*h)))
            .collect()
    }

    fn amounts(parts: &[(Address, Amount)]) -> Vec<u128> {
        parts.iter().map(|(_, a)| a.0).collect()
    }

    #[test]
    fn even_split_with_remainder_in_operator_order() {
        let (parts, left) = split(Amount(10), &ops(&[0, 0, 0]), Amount(10), 2_000).expect("splits");
        assert_eq!(amounts(&parts), [4, 3, 3]);
        assert_eq!(left, Amount::ZERO);
    }

    #[test]
    fn the_cap_moves_stake_to_validators_with_room() {
        // 10 validators, 20 % cap of 1,000 = 200; the first already holds 200.
        let mut held = vec![0u128; 10];
        held[0] = 200;
        let (parts, left) = split(Amount(800), &ops(&held), Amount(1_000), 2_000).expect("splits");
        assert_eq!(left, Amount::ZERO);
        assert_eq!(parts.iter().map(|(_, a)| a.0).sum::<u128>(), 800);
        assert!(parts.iter().all(|(op, _)| op.0[0] != 1), "{parts:?}");
    }

    #[test]
    fn pro_rata_never_exceeds_a_stake() {
        let parts = pro_rata(Amount(7), &ops(&[1, 1, 10])).expect("splits");
        assert_eq!(amounts(&parts), [1, 1, 5]);
        let all = pro_rata(Amount(12), &ops(&[1, 1, 10])).expect("splits");
        assert_eq!(amounts(&all), [1, 1, 10]);
    }
}
