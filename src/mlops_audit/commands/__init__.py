"""One module per CLI command or group. Keep top-level imports light (click and our models only);
import pandas, scikit-learn and WeasyPrint inside the functions that need them."""
