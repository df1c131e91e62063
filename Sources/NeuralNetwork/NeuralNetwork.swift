import Numerics

/// NeuralNetwork: layers with forward and backward side by side, losses, Adam, the autoencoder.
/// Touches no files.
///
/// ## Layout inside the network
///
/// Public tensors are **batch x channels x length** (`Tensor`). Inside, every layer works on a
/// *block* of `batch` samples stored **channel-major**: a `channels x (batch * length)` row-major
/// matrix, so sample `b`, channel `c`, step `t` is at `c * (batch * length) + b * length + t`.
/// One convolution over the whole block is then a single GEMM. A flat feature vector per sample
/// (dense layers, the latent code) is the same layout with one channel: `batch x features`,
/// sample-major. `BatchLayout` converts between the two.
///
/// Layers are small value types with `forward` and `backward` side by side (llm.c style):
/// forward keeps what backward needs in caller-owned buffers, backward *adds* parameter gradients
/// into a gradient buffer laid out exactly like the parameter buffer, and writes (overwrites) the
/// input gradient.
public enum NeuralNetwork {}
