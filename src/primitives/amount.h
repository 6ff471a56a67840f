// Amounts of bitcoin, in satoshis (the type and bounds live in util/amount.h).
//
// Format: amount := value:i64le   (as in a transaction output; negative values decode and are
// rejected by the consensus rules, not by the parser)
#pragma once

#include "util/amount.h"
