// 首页, 办事指南, 再生育·特殊情形: static pages; the province switch and province-specific text.
import { initLayout } from "../profile.js";

initLayout();
document.body.dataset.ready = "true";
