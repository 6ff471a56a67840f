// The block subsidy: 50 BTC, halved every subsidy_halving_interval blocks, zero after 64
// halvings (Bitcoin Core's GetBlockSubsidy).
#pragma once

#include "consensus/chainparams.h"
#include "primitives/amount.h"

namespace bitloom {

inline Amount block_subsidy(int height, const ConsensusParams& params) {
    const int halvings = height / params.subsidy_halving_interval;
    if (halvings >= 64) return 0;
    return (50 * COIN) >> halvings;
}

}  // namespace bitloom
