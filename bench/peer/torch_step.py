"""Native reference for bench/train.bench.ts: images/s of torchvision RetinaNet train steps and
inference (ResNet-18-FPN from scratch, or a narrow width), synthetic inputs, N threads.
usage: python3 torch_step.py --size 256 --batch 4 --threads 2 --steps 3 [--width 32]
Prints one JSON line."""
import argparse, json, time
import torch
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models import resnet18, resnet50
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

p = argparse.ArgumentParser()
p.add_argument('--size', type=int, default=256)
p.add_argument('--batch', type=int, default=4)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--steps', type=int, default=3)
p.add_argument('--depth', default='18')
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
body = resnet18() if a.depth == '18' else resnet50()
chans = [128, 256, 512] if a.depth == '18' else [512, 1024, 2048]
backbone = BackboneWithFPN(body, {'layer2': '0', 'layer3': '1', 'layer4': '2'}, chans, 256, extra_blocks=LastLevelP6P7(256, 256))
model = RetinaNet(backbone, num_classes=2, min_size=a.size, max_size=a.size)
opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
imgs = [torch.rand(3, a.size, a.size) for _ in range(a.batch)]
tg = [{'boxes': torch.tensor([[20., 30., 120., 150.]]), 'labels': torch.tensor([1])} for _ in range(a.batch)]
model.train()
def step():
    loss = sum(model(imgs, tg).values()); opt.zero_grad(); loss.backward(); opt.step()
step()
t0 = time.time()
for _ in range(a.steps): step()
train = a.batch * a.steps / (time.time() - t0)
model.eval()
with torch.no_grad():
    model(imgs)
    t0 = time.time()
    for _ in range(a.steps): model(imgs)
infer = a.batch * a.steps / (time.time() - t0)
print(json.dumps({'depth': a.depth, 'size': a.size, 'threads': a.threads, 'train_images_per_s': round(train, 3), 'infer_images_per_s': round(infer, 3)}))
