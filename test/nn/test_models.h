// Small model definitions that exercise the lowering beyond the compact pair: odd sizes (K not a multiple of 16),
// stride 1 with padding, stride 2 without, a ReLU before the logits, a network that starts with a linear layer.
#pragma once

#include "firmware/nn/model_def.h"

namespace dacapo::nn_test {

inline constexpr nn::LayerDef kOddLayers[] = {
    nn::conv(3, 1, 1, 5), nn::relu(), nn::conv(2, 2, 0, 3), nn::relu(), nn::linear(7), nn::relu(), nn::linear(4),
};
inline constexpr nn::ModelDef kOdd{"odd", {7, 6, 2}, kOddLayers, sizeof(kOddLayers) / sizeof(kOddLayers[0])};

inline constexpr nn::LayerDef kMlpLayers[] = {nn::linear(9), nn::relu(), nn::linear(3), nn::relu()};
inline constexpr nn::ModelDef kMlp{"mlp", {4, 5, 1}, kMlpLayers, sizeof(kMlpLayers) / sizeof(kMlpLayers[0])};

}  // namespace dacapo::nn_test
