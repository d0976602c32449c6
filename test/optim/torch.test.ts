/**
 * Optimizer trajectories checked against PyTorch 1.13 (Debian python3-torch). Five or six steps of each
 * optimizer on the least-squares problem below, in float64 (tight tolerance) and once in float32.
 *
 * The reference values come from this script:
 *
 * ```python
 * import torch
 * torch.set_default_dtype(torch.float64)
 * X = torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [0.1, 0.3]])
 * Y = torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [-1.0, 1.0, 0.5], [0.0, -0.5, 1.0]])
 * W0 = torch.tensor([[0.2, -0.4, 0.1], [0.3, 0.05, -0.2]]); B0 = torch.tensor([0.1, -0.1, 0.0])
 * def loss_fn(w, b): return ((X @ w + b - Y) ** 2).mean()
 * def run(make, steps=5, clip=None, sched=None):
 *     w = W0.clone().requires_grad_(); b = B0.clone().requires_grad_()
 *     opt = make([w, b]); s = sched(opt) if sched else None
 *     for _ in range(steps):
 *         opt.zero_grad(); loss_fn(w, b).backward()
 *         if clip is not None: torch.nn.utils.clip_grad_norm_([w, b], clip)
 *         opt.step()
 *         if s: s.step()
 *     return w.detach().flatten().tolist(), b.detach().tolist()
 * O = torch.optim
 * run(lambda p: O.SGD(p, lr=0.1))                                                      # sgd
 * run(lambda p: O.SGD(p, lr=0.1, momentum=0.9))                                        # sgdMomentum
 * run(lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01))      # sgdNesterovWd
 * run(lambda p: O.SGD(p, lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1))       # sgdDampeningWd
 * run(lambda p: O.Adam(p, lr=0.05))                                                    # adam
 * run(lambda p: O.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))     # adamL2
 * run(lambda p: O.AdamW(p, lr=0.05))                                                   # adamw
 * run(lambda p: O.AdamW(p, lr=0.05, betas=(0.85, 0.995), weight_decay=0.5))            # adamwStrong
 * run(lambda p: O.RMSprop(p, lr=0.01))                                                 # rmsprop
 * run(lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1))
 * run(lambda p: O.SGD(p, lr=0.1, momentum=0.9), clip=0.5)                              # clipSgdMomentum
 * run(lambda p: O.SGD(p, lr=0.1, momentum=0.5), steps=6,
 *     sched=lambda o: O.lr_scheduler.StepLR(o, step_size=2, gamma=0.5))                # sgdStepLR
 * run(lambda p: O.Adam(p, lr=0.05), steps=6,
 *     sched=lambda o: O.lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.005))     # adamCosine
 * run(lambda p: O.AdamW(p, lr=0.05, weight_decay=0.2), steps=6,
 *     sched=lambda o: O.lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.005))     # adamwCosine
 * # adam32: the adam run again after torch.set_default_dtype(torch.float32)
 * ```
 */
import { describe, expect, it } from "vitest";
import { add, jit, matmul, mean, square, sub, tensor, valueAndGrad, type Tensor } from "../../src/index.js";
import {
  adam, adamw, applyUpdates, chain, clipByGlobalNorm, cosineDecay, rmsprop, sgd, stepDecay, type GradientTransformation,
} from "../../src/optim/index.js";

type Dt = "float32" | "float64";
interface Params {
  readonly w: Tensor<[2, 3], Dt>;
  readonly b: Tensor<[3], Dt>;
}

function problem(dtype: Dt) {
  const X = tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [0.1, 0.3]], dtype);
  const Y = tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [-1.0, 1.0, 0.5], [0.0, -0.5, 1.0]], dtype);
  const loss = (p: Params) => mean(square(sub(add(matmul(X, p.w), p.b), Y)));
  // Keys in sorted (pytree) order, as the staged step returns them: jit's signature (today) tells key orders apart.
  const params: Params = { b: tensor([0.1, -0.1, 0.0], dtype), w: tensor([[0.2, -0.4, 0.1], [0.3, 0.05, -0.2]], dtype) };
  return { loss, params };
}

/** `steps` optimizer steps on the problem, eagerly or as one staged step (gradient and update) replayed. */
function run<S>(opt: GradientTransformation<S>, steps: number, dtype: Dt = "float64", staged = false): Params & { traces: number } {
  const { loss, params } = problem(dtype);
  let traces = 0;
  const eager = (p: Params, s: S): readonly [Params, S] => {
    traces++;
    const [, g] = valueAndGrad(loss)(p);
    const [u, s2] = opt.update(g, s, p);
    return [applyUpdates(p, u), s2];
  };
  const step = staged ? jit(eager) : eager;
  let p = params;
  let s = opt.init(p);
  for (let i = 0; i < steps; i++) [p, s] = step(p, s);
  return { ...p, traces };
}

function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol));
}

interface Ref {
  readonly w: readonly number[];
  readonly b: readonly number[];
}

const REF: Record<string, Ref> = {
  sgd: {"w":[0.3157708806484791,-0.13041556101658763,0.005782482376477108,0.009530058455425195,0.1649752823009963,0.03762974323978952],"b":[0.06372157796740521,0.12726231805127308,0.040975558841265476]},
  sgdMomentum: {"w":[0.489543821325306,0.29135224395104753,-0.13588990031133416,-0.42982090633046144,0.34213734330232587,0.39671631432626825],"b":[0.01357428512019655,0.46996705849453074,0.0995429789332658]},
  sgdNesterovWd: {"w":[0.49941640105122825,0.40177629117276364,-0.14873796216127047,-0.48481030727975966,0.37840756415179205,0.4393974200824133],"b":[0.025866242622999785,0.5006620455710902,0.09274962585699957]},
  sgdDampeningWd: {"w":[0.3928661982943078,0.10518578733347318,-0.07744479180520676,-0.24483293514985904,0.2509189478031704,0.2420166568012857],"b":[0.02494844381851605,0.31688080649174283,0.07583648416311911]},
  adam: {"w":[0.4461462973471711,-0.15107675684715507,-0.14460354770927533,0.053766351102818966,0.2911974408159715,0.04478819531131303],"b":[-0.10858884898698029,0.14585583443581612,0.2137773560471729]},
  adamL2: {"w":[0.44097387981308583,-0.15231480450177992,-0.1395264225667535,0.056432600423184084,0.28365245898947355,0.0413214626964831],"b":[-0.09435472165521097,0.14257209829714965,0.1912606876954614]},
  adamw: {"w":[0.4454057959131845,-0.15033322790950251,-0.1445932576031073,0.05327195983927138,0.29085911511675916,0.04503182883589111],"b":[-0.10839404090570305,0.14585248855438498,0.21354666625910856]},
  adamwStrong: {"w":[0.40944393238807025,-0.11653044339668175,-0.14213021203636061,0.03177122286012218,0.2728679769781743,0.05453146504437109],"b":[-0.09310112364269592,0.1440809018744495,0.19809081857771366]},
  rmsprop: {"w":[0.47306376201391964,-0.09217216990056612,-0.15972944041916806,0.016706231107501288,0.2969014830048191,0.0718918726105795],"b":[-0.04508677650997606,0.17714568023256785,0.1543855546021382]},
  rmspropCenteredMomentum: {"w":[0.5135408164527706,-0.06429726995818204,-0.20959431008505072,-0.02176734484897697,0.3459886586869454,0.11512661253462822],"b":[-0.13422199588241762,0.21857851371174813,0.23063993967151877]},
  clipSgdMomentum: {"w":[0.3403784368474232,-0.08826446638358487,-0.01400326642938313,-0.04876772252740095,0.18496048571732263,0.08562359149756804],"b":[0.052421943375561025,0.1744457159448545,0.052094415292757504]},
  sgdStepLR: {"w":[0.3271431690714489,-0.10895830464003395,-0.0033897750577827,-0.017782076364714516,0.1747262863265951,0.06007325842477187],"b":[0.0590050426741171,0.14926082332330642,0.04576794408604451]},
  adamCosine: {"w":[0.3855836801403215,-0.21305987715900904,-0.08484841957888876,0.11439896948765825,0.23322349509345816,-0.015093815424591529],"b":[-0.0678184184402738,0.08542603858013198,0.1703665347772565]},
  adamwCosine: {"w":[0.3755051200722246,-0.2011064837895947,-0.08566854638153369,0.10613824842006336,0.22891738330717742,-0.01053940332286958],"b":[-0.06668464671717855,0.08631481704736217,0.16768967762086104]},
  adam32: {"w":[0.44614630937576294,-0.1510767787694931,-0.14460355043411255,0.05376635864377022,0.29119741916656494,0.0447881855070591],"b":[-0.10858884453773499,0.1458558440208435,0.2137773633003235]},
};

const CASES: readonly [string, () => GradientTransformation<unknown>, number][] = [
  ["sgd", () => sgd(0.1), 5],
  ["sgdMomentum", () => sgd(0.1, { momentum: 0.9 }), 5],
  ["sgdNesterovWd", () => sgd(0.1, { momentum: 0.9, nesterov: true, weightDecay: 0.01 }), 5],
  ["sgdDampeningWd", () => sgd(0.1, { momentum: 0.9, dampening: 0.5, weightDecay: 0.1 }), 5],
  ["adam", () => adam(0.05), 5],
  ["adamL2", () => adam(0.05, { b1: 0.8, b2: 0.99, eps: 1e-6, weightDecay: 0.1 }), 5],
  ["adamw", () => adamw(0.05), 5],
  ["adamwStrong", () => adamw(0.05, { b1: 0.85, b2: 0.995, weightDecay: 0.5 }), 5],
  ["rmsprop", () => rmsprop(0.01), 5],
  ["rmspropCenteredMomentum", () => rmsprop(0.01, { alpha: 0.9, momentum: 0.9, centered: true, weightDecay: 0.1 }), 5],
  ["clipSgdMomentum", () => chain(clipByGlobalNorm(0.5), sgd(0.1, { momentum: 0.9 })), 5],
  ["sgdStepLR", () => sgd(stepDecay(0.1, 2, 0.5), { momentum: 0.5 }), 6],
  ["adamCosine", () => adam(cosineDecay(0.05, 6, 0.1)), 6],
  ["adamwCosine", () => adamw(cosineDecay(0.05, 6, 0.1), { weightDecay: 0.2 }), 6],
] as unknown as readonly [string, () => GradientTransformation<unknown>, number][];

describe("optimizers match torch.optim (float64)", () => {
  for (const [name, make, steps] of CASES) {
    it(name, () => {
      const p = run(make(), steps);
      const ref = REF[name]!;
      expectClose(p.w.toFlat(), ref.w, 1e-12);
      expectClose(p.b.toFlat(), ref.b, 1e-12);
    });
  }
});

describe("staged, the same steps are one program, bit for bit the eager run", () => {
  for (const [name, make, steps] of CASES)
    it(name, () => {
      const p = run(make(), steps, "float64", true);
      const want = run(make(), steps);
      expect(p.traces).toBe(1);
      expect([p.w.toFlat(), p.b.toFlat()]).toEqual([want.w.toFlat(), want.b.toFlat()]);
    });
  it("adam (float32)", () => {
    const p = run(adam(0.05), 5, "float32", true);
    const want = run(adam(0.05), 5, "float32");
    expect(p.traces).toBe(1);
    expect([p.w.toFlat(), p.b.toFlat()]).toEqual([want.w.toFlat(), want.b.toFlat()]);
  });
});

describe("optimizers match torch.optim (float32)", () => {
  it("adam", () => {
    const p = run(adam(0.05), 5, "float32");
    expect(p.w.dtype).toBe("float32");
    expectClose(p.w.toFlat(), REF.adam32!.w, 1e-6);
    expectClose(p.b.toFlat(), REF.adam32!.b, 1e-6);
  });
});
