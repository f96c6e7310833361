"""Speed/accuracy peer: torchvision RetinaNet, ResNet-18-FPN from scratch, on a COCO-format dataset.

Trains for a wall-clock budget on N threads, then writes COCO results for the validation split so
that `retina-eval --gt VAL.json --dt OUT/dt.json` scores both detectors with the same evaluator.
Prints one JSON line: images/s, steps, wall time. Debian: apt install python3-torch python3-torchvision.

usage: /usr/bin/python3 bench/peer/torch_retinanet.py --train-ann A --val-ann V --images DIR --out OUT
       [--seconds 600] [--threads 2] [--size 320] [--batch 4] [--max-iters N]
"""
import argparse
import json
import os
import random
import time

import torch
import torchvision
from PIL import Image
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops.feature_pyramid_network import LastLevelP6P7
import torchvision.transforms.functional as TF


def load(ann_path, images):
    ann = json.load(open(ann_path))
    cats = sorted(c["id"] for c in ann["categories"])
    by_img = {im["id"]: [] for im in ann["images"]}
    for a in ann["annotations"]:
        if not a.get("iscrowd", 0):
            by_img[a["image_id"]].append(a)
    items = []
    for im in ann["images"]:
        img = Image.open(os.path.join(images, im["file_name"])).convert("RGB")
        boxes = [[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in by_img[im["id"]]]
        labels = [cats.index(a["category_id"]) + 1 for a in by_img[im["id"]]]
        items.append((im["id"], TF.to_tensor(img), torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4), torch.tensor(labels, dtype=torch.int64)))
    return items, cats


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train-ann", required=True)
    p.add_argument("--val-ann", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=320)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--max-iters", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    random.seed(0)
    train, cats = load(a.train_ann, a.images)
    val, _ = load(a.val_ann, a.images)
    backbone = resnet_fpn_backbone(backbone_name="resnet18", weights=None, trainable_layers=5,
                                   returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(256, 256))
    model = RetinaNet(backbone, num_classes=len(cats) + 1, min_size=a.size, max_size=int(a.size * 1.667))
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=1e-4)
    model.train()
    start = time.time()
    steps = seen = 0
    warmup = 100
    while time.time() - start < a.seconds and (a.max_iters == 0 or steps < a.max_iters):
        random.shuffle(train)
        for i in range(0, len(train) - a.batch + 1, a.batch):
            if time.time() - start >= a.seconds or (a.max_iters and steps >= a.max_iters):
                break
            batch = train[i:i + a.batch]
            imgs, targets = [], []
            for _, img, boxes, labels in batch:
                if random.random() < 0.5:
                    img = img.flip(-1)
                    w = img.shape[-1]
                    boxes = boxes[:, [2, 1, 0, 3]] * torch.tensor([-1, 1, -1, 1]) + torch.tensor([w, 0, w, 0])
                imgs.append(img)
                targets.append({"boxes": boxes, "labels": labels})
            for g in opt.param_groups:
                g["lr"] = a.lr * min(1.0, 0.001 + steps / warmup)
            losses = model(imgs, targets)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            steps += 1
            seen += len(batch)
    train_s = time.time() - start
    model.eval()
    results = []
    with torch.no_grad():
        for image_id, img, _, _ in val:
            out = model([img])[0]
            for b, s, l in zip(out["boxes"].tolist(), out["scores"].tolist(), out["labels"].tolist()):
                results.append({"image_id": image_id, "category_id": cats[l - 1],
                                "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]], "score": s})
    os.makedirs(a.out, exist_ok=True)
    json.dump(results, open(os.path.join(a.out, "dt.json"), "w"))
    print(json.dumps({"engine": "pytorch-cpu", "threads": a.threads, "steps": steps, "images": seen,
                      "train_seconds": round(train_s, 1), "images_per_s": round(seen / train_s, 3),
                      "detections": len(results)}))


if __name__ == "__main__":
    main()
