import ClusterModel

extension AllReduceCalibration {
    /// The fitted α–β model; here rather than with the data because the model and its fitting belong to the backend.
    public var model: CollectiveBandwidth.AlphaBeta {
        CollectiveBandwidth.AlphaBeta(alphaSeconds: alphaSeconds, busBandwidth: busBandwidthGBps * 1e9)
    }
}
