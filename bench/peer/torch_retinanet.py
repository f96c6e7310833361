"""Speed/accuracy peer: torchvision RetinaNet, ResNet-18-FPN from scratch, on a COCO-format dataset.

Recipe (the one behind our published PyTorch figures, /work/shared/peer/torch_baseline.py):
  - backbone: resnet_fpn_backbone(resnet18, weights=None, trainable_layers=5, norm_layer=BatchNorm2d
    (trainable BN, not the FrozenBatchNorm2d default), returned_layers=[2, 3, 4], P6/P7 from P5 output)
  - every image resized ONCE at load so that its LONGER side is --size (bicubic, up- or downscaled);
    the model's own transform gets min_size = max_size = --size, so it leaves those inputs as they are.
    There is no --max-size: --size S means "longer side S".
  - AdamW lr 4e-4, weight decay 1e-4, constant lr (no warmup, no schedule), grad-norm clip 10
  - batch 4 (the last incomplete batch of an epoch is dropped), random horizontal flip p = 0.5
  - N threads, trained for a wall-clock budget (--seconds) or --max-iters steps, whichever ends first.

Then detects on the validation split (one image at a time) and writes OUT/dt.json: COCO results with
the original category ids and xywh boxes in the original image's pixels, for
`node apps/eval/bin/retina-eval.js --gt VAL.json --dt OUT/dt.json` (no pycocotools needed here).
Prints one JSON line: train_images_per_s, steps, epochs (images seen / training images, fractional),
train_seconds, infer_images_per_s (batch 1, same threads), final_loss (mean of the last 10 steps), ...

usage: /usr/bin/python3 bench/peer/torch_retinanet.py --train-ann A --val-ann V --images DIR --out OUT
       [--seconds 600] [--threads 2] [--size 384] [--batch 4] [--max-iters N] [--seed 0] [--score-thresh 0.05]
Debian: apt install python3-torch python3-torchvision (torch 1.13 / torchvision 0.14 tested).
"""
import argparse
import json
import os
import time

import torch
import torchvision.transforms.functional as TF
from PIL import Image, ImageFile
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

ImageFile.LOAD_TRUNCATED_IMAGES = True  # tolerate a truncated JPEG, as the reference recipe does


def load_split(ann_path, image_dir, size, cat_ids=None):
    """Returns (items, cat_ids); item = (image_id, sx, sy, image CHW float, boxes xyxy Nx4, labels N).

    Images are resized so the longer side is `size`; sx, sy map resized pixels back to original ones."""
    with open(ann_path) as f:
        ann = json.load(f)
    if cat_ids is None:
        cat_ids = sorted(c["id"] for c in ann["categories"])
    label_of = {c: i + 1 for i, c in enumerate(cat_ids)}  # 0 is background in torchvision
    anns_of = {}
    for a in ann["annotations"]:
        if not a.get("iscrowd", 0):
            anns_of.setdefault(a["image_id"], []).append(a)
    items = []
    for info in sorted(ann["images"], key=lambda im: im["id"]):
        img = Image.open(os.path.join(image_dir, info["file_name"])).convert("RGB")
        w0, h0 = img.size
        k = size / max(w0, h0)
        w1, h1 = max(1, round(w0 * k)), max(1, round(h0 * k))
        img = img.resize((w1, h1), Image.BICUBIC)
        sx, sy = w1 / w0, h1 / h0  # exact per-axis factors (rounding makes them differ from k slightly)
        boxes, labels = [], []
        for a in anns_of.get(info["id"], []):
            x, y, bw, bh = a["bbox"]
            boxes.append([x * sx, y * sy, (x + bw) * sx, (y + bh) * sy])
            labels.append(label_of[a["category_id"]])
        items.append((info["id"], sx, sy, TF.to_tensor(img),
                      torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                      torch.tensor(labels, dtype=torch.int64)))
    return items, cat_ids


def build_model(num_classes, size):
    backbone = resnet_fpn_backbone(backbone_name="resnet18", weights=None, trainable_layers=5,
                                   norm_layer=torch.nn.BatchNorm2d, returned_layers=[2, 3, 4],
                                   extra_blocks=LastLevelP6P7(256, 256))
    return RetinaNet(backbone, num_classes=num_classes + 1, min_size=size, max_size=size)


def hflip(img, boxes):
    w = img.shape[-1]
    flipped = boxes.clone()
    flipped[:, 0] = w - boxes[:, 2]
    flipped[:, 2] = w - boxes[:, 0]
    return img.flip(-1), flipped


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--train-ann", required=True)
    p.add_argument("--val-ann", required=True)
    p.add_argument("--images", required=True, help="folder of the images of both splits")
    p.add_argument("--out", required=True, help="writes OUT/dt.json")
    p.add_argument("--seconds", type=float, default=600, help="training wall-clock budget")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=384, help="LONGER image side in pixels (train and val)")
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lr", type=float, default=4e-4, help="AdamW learning rate (recipe: 4e-4)")
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--max-iters", type=int, default=0, help="stop after N steps too (0: time budget only)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--score-thresh", type=float, default=0.05,
                   help="keep detections scoring above this (torchvision's default 0.05, as in the recipe)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, cat_ids = load_split(a.train_ann, a.images, a.size)
    val, _ = load_split(a.val_ann, a.images, a.size, cat_ids)
    if len(train) < a.batch:
        raise SystemExit(f"need at least --batch {a.batch} training images, got {len(train)}")

    model = build_model(len(cat_ids), a.size)
    model.score_thresh = a.score_thresh
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=a.weight_decay)

    def done(steps, start):
        return time.time() - start >= a.seconds or (a.max_iters > 0 and steps >= a.max_iters)

    model.train()
    steps = seen = 0
    recent = []
    start = time.time()
    while not done(steps, start):
        order = torch.randperm(len(train)).tolist()
        for i in range(0, len(order) - a.batch + 1, a.batch):
            imgs, targets = [], []
            for j in order[i:i + a.batch]:
                _, _, _, img, boxes, labels = train[j]
                if torch.rand(1).item() < 0.5:
                    img, boxes = hflip(img, boxes)
                imgs.append(img)
                targets.append({"boxes": boxes, "labels": labels})
            loss = sum(model(imgs, targets).values())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            steps += 1
            seen += len(imgs)
            recent = (recent + [float(loss)])[-10:]
            if done(steps, start):
                break
    train_s = time.time() - start

    model.eval()
    results = []
    t0 = time.time()
    with torch.no_grad():
        for image_id, sx, sy, img, _, _ in val:
            out = model([img])[0]
            for b, s, l in zip(out["boxes"].tolist(), out["scores"].tolist(), out["labels"].tolist()):
                x1, y1, x2, y2 = b[0] / sx, b[1] / sy, b[2] / sx, b[3] / sy
                results.append({"image_id": image_id, "category_id": cat_ids[l - 1],
                                "bbox": [round(v, 2) for v in (x1, y1, x2 - x1, y2 - y1)], "score": s})
    infer_s = time.time() - t0

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "dt.json"), "w") as f:
        json.dump(results, f)
    print(json.dumps({
        "engine": "pytorch-cpu", "model": "torchvision RetinaNet resnet18-fpn (BN, scratch)", "size": a.size,
        "batch": a.batch, "threads": a.threads, "seed": a.seed, "steps": steps, "images": seen,
        "epochs": round(seen / len(train), 2), "train_seconds": round(train_s, 1),
        "train_images_per_s": round(seen / train_s, 3) if train_s > 0 else 0.0,
        "infer_images_per_s": round(len(val) / infer_s, 3) if infer_s > 0 else 0.0,
        "final_loss": round(sum(recent) / len(recent), 4) if recent else None, "detections": len(results),
    }), flush=True)


if __name__ == "__main__":
    main()
