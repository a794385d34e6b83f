/** The renderer's entry: Vue + Pinia, mounting the workbench. */
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'

createApp(App).use(createPinia()).mount('#app')
