import androidx.compose.material3.Button
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch

@Composable
fun DownloadScreen(state: LazyListState) {
    val scope = rememberCoroutineScope()
    Button(onClick = { scope.launch { state.animateScrollToItem(0) } }) {
        Text("Top")
    }
}

class DownloadQueueSaver(
    private val scope: CoroutineScope,
    private val store: DownloadStore,
) {
    private val pending = mutableListOf<Download>()

    fun save(downloads: List<Download>) {
        scope.launch {
            pending.addAll(downloads)
            store.write(pending)
        }
    }
}
