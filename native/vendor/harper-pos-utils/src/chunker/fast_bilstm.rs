//! A plain-Rust forward pass of the chunker's BiLSTM (embeddings → BiLSTM → linear) that does the
//! float operations of burn-ndarray's forward in the same order, so it gives the same bits:
//! - each gate is `x·Wx + h·Wh`; every dot product accumulates its terms from zero in index order,
//!   as matrixmultiply's sgemm micro-kernel does, with a separate multiply and add where that
//!   kernel does (burn-ndarray builds matrixmultiply without `std`, so the kernel is chosen by the
//!   compile-time target features: no fused multiply-add on a default x86-64 target or in wasm,
//!   fused on aarch64 or with `fma` + `avx2` enabled at compile time; see [`FUSED`]);
//! - `sigmoid(z) = exp(-ln(exp(-z) + 1))` in f32 (burn's default sigmoid);
//! - `tanh` in f64, rounded to f32 (burn-ndarray's);
//! - `c = f·c + i·g`, `h = o·tanh(c)`; the output a dot product plus the bias.
//!
//! Without burn's per-timestep tensors it costs about a hundredth of the time. `chunker_audit`
//! (in `burn_chunker.rs`) checks it against burn's forward pass bit for bit.

/// One direction's weights, gate order input, forget, output, cell; each `[d_in][d_hidden]` and
/// `[d_hidden][d_hidden]`, row-major.
pub struct LstmWeights {
    pub wx: [Vec<f32>; 4],
    pub wh: [Vec<f32>; 4],
}

/// Weights of the whole model.
pub struct FastBiLstm {
    pub word_embed: Vec<f32>,
    pub word_dim: usize,
    pub upos_embed: Vec<f32>,
    pub upos_dim: usize,
    pub forward: LstmWeights,
    pub reverse: LstmWeights,
    pub hidden: usize,
    /// `[2 * hidden]` column of the output layer.
    pub out_w: Vec<f32>,
    pub out_b: f32,
}

/// Whether matrixmultiply's sgemm kernel in this build uses fused multiply-add.
pub const FUSED: bool = cfg!(any(
    target_arch = "aarch64",
    all(target_feature = "fma", target_feature = "avx2")
));

/// One accumulation step of the sgemm kernel: `acc + a·b`, fused or not as that kernel does it.
#[inline(always)]
fn multiply_add(a: f32, b: f32, acc: f32) -> f32 {
    if FUSED {
        a.mul_add(b, acc)
    } else {
        acc + a * b
    }
}

/// `out[j] = Σ_k x[k] · w[k][j]`, accumulated by fused multiply-add from zero in order of `k`.
fn mat_vec(x: &[f32], w: &[f32], cols: usize, out: &mut [f32]) {
    for (j, o) in out.iter_mut().enumerate().take(cols) {
        let mut acc = 0f32;
        for (k, xk) in x.iter().enumerate() {
            acc = multiply_add(*xk, w[k * cols + j], acc);
        }
        *o = acc;
    }
}

fn sigmoid(z: f32) -> f32 {
    (-((-z).exp() + 1.0).ln()).exp()
}

fn tanh(z: f32) -> f32 {
    (z as f64).tanh() as f32
}

impl FastBiLstm {
    fn run_direction(
        &self,
        w: &LstmWeights,
        xs: &[Vec<f32>],
        order: &[usize],
        out: &mut [Vec<f32>],
    ) {
        let d = self.hidden;
        let mut c = vec![0f32; d];
        let mut h = vec![0f32; d];
        let mut gx = vec![0f32; d];
        let mut gh = vec![0f32; d];
        let mut gates = [vec![0f32; d], vec![0f32; d], vec![0f32; d], vec![0f32; d]];
        for &t in order {
            for g in 0..4 {
                mat_vec(&xs[t], &w.wx[g], d, &mut gx);
                mat_vec(&h, &w.wh[g], d, &mut gh);
                for j in 0..d {
                    let z = gx[j] + gh[j];
                    gates[g][j] = if g == 3 { tanh(z) } else { sigmoid(z) };
                }
            }
            for j in 0..d {
                c[j] = gates[1][j] * c[j] + gates[0][j] * gates[3][j];
                h[j] = gates[2][j] * tanh(c[j]);
            }
            out[t].copy_from_slice(&h);
        }
    }

    /// The output layer's value per token (a token is in a noun phrase when it is above 0.5).
    pub fn forward(&self, words: &[usize], upos: &[usize]) -> Vec<f32> {
        let n = words.len();
        let xs: Vec<Vec<f32>> = (0..n)
            .map(|t| {
                let mut x = Vec::with_capacity(self.word_dim + self.upos_dim);
                x.extend_from_slice(&self.word_embed[words[t] * self.word_dim..][..self.word_dim]);
                x.extend_from_slice(&self.upos_embed[upos[t] * self.upos_dim..][..self.upos_dim]);
                x
            })
            .collect();
        let mut fwd = vec![vec![0f32; self.hidden]; n];
        let mut rev = vec![vec![0f32; self.hidden]; n];
        let order: Vec<usize> = (0..n).collect();
        self.run_direction(&self.forward, &xs, &order, &mut fwd);
        let order_rev: Vec<usize> = (0..n).rev().collect();
        self.run_direction(&self.reverse, &xs, &order_rev, &mut rev);
        (0..n)
            .map(|t| {
                let mut acc = 0f32;
                for (k, v) in fwd[t].iter().chain(rev[t].iter()).enumerate() {
                    acc = multiply_add(*v, self.out_w[k], acc);
                }
                acc + self.out_b
            })
            .collect()
    }
}
