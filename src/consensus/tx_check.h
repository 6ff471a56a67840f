// Context-free transaction checks (Bitcoin Core's CheckTransaction): the rules a transaction
// must meet whatever block or mempool it is in, decidable from its bytes alone.
#pragma once

#include "consensus/validation_result.h"
#include "primitives/transaction.h"
#include "util/result.h"

namespace bitloom {

// Checks, in this order, failing with the first broken rule (kind consensus, Core's reasons):
//   "bad-txns-vin-empty"            no inputs
//   "bad-txns-vout-empty"           no outputs
//   "bad-txns-oversize"             stripped size * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT (the
//                                   witness is not counted: it is not yet known to be unmalleated)
//   "bad-txns-vout-negative"        an output value below 0
//   "bad-txns-vout-toolarge"        an output value above MAX_MONEY
//   "bad-txns-txouttotal-toolarge"  the running sum of output values leaves 0..MAX_MONEY
//   "bad-txns-inputs-duplicate"     two inputs spend the same outpoint
//   "bad-cb-length"                 coinbase scriptSig shorter than 2 or longer than 100 bytes
//   "bad-txns-prevout-null"         a non-coinbase input spends the null outpoint
// Scripts, signatures, lock times and the inputs' existence are not looked at.
Result<void, TxValidationError> check_transaction(const Transaction& tx);

}  // namespace bitloom
