"""PyTorch peer for the cluster stage: the same method (tools/prototype_dec.py's dec()) on the
same windows exported by `seiscluster windows export`, 2 threads. Prints ACC and wall time.
    peer_dec_pytorch.py WINDOWS.npy INDEX.csv TRUTH.csv TOOLS_DIR [KERNELS]
KERNELS defaults to `cluster`'s default net, 3,5,5 (decision 0006; 5 before stop 30)."""
import sys, csv, time, types, numpy as np
sys.path.insert(0, sys.argv[4])
import prototype_dec as P
x = np.load(sys.argv[1]).astype(np.float32)
idx = list(csv.DictReader(open(sys.argv[2])))
truth = {(r['network'], r['station'], r['location'], r['time'][:23]): r['label'] for r in csv.DictReader(open(sys.argv[3]))}
labels = np.array([0 if truth[(r['network'], r['station'], r['location'], r['time'][:23])] == 'local' else 1 for r in idx])
args = types.SimpleNamespace(activation='relu', filters='16,16,16', kernels=sys.argv[5] if len(sys.argv) > 5 else '3,5,5', latent=16, epochs=30, batch=32,
    learning_rate=1e-3, clusters=2, lam=0.1, update_interval=20, tol=0.001, max_iterations=1000, threads=2)
r = P.dec(x, labels, args, 0)
print(f"pytorch DEC: ACC={P.cluster_acc(labels, r['pred']):.4f} pretrain {r['t_pre']:.1f} s, total {r['wall']:.1f} s, iterations {r['iters']}")
